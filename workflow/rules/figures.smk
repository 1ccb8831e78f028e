# Figures: each renders figures/<name>.pdf and .png from tables in results/.

FIGURE_STEMS.extend(f"{FIG}/fig3_{PANELS[i]}" for i in range(len(RANDOM_HIDDEN)))
FIGURE_STEMS.append(f"{FIG}/fig3_f")


rule fig3_mp:
    input:
        random_spectrum_tables,
    output:
        pdf=f"{FIG}/fig3_{{panel}}.pdf",
        png=report(
            f"{FIG}/fig3_{{panel}}.png", caption="../report/fig3_mp.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig3_{{panel}}.log",
    benchmark:
        f"{RES}/benchmarks/fig3_mp/fig3_{{panel}}.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
        options=lambda w: json.dumps({"panel": w.panel}),
    threads: rule_threads("fig3_mp")
    resources:
        mem_mb=rule_mem_mb("fig3_mp"),
        runtime=rule_runtime("fig3_mp"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig3_mp --inputs {input} --stem {params.stem} "
        "--options {params.options:q} > {log} 2>&1"


rule fig3_f:
    input:
        rules.trained_spectra.output.table,
    output:
        pdf=f"{FIG}/fig3_f.pdf",
        png=report(
            f"{FIG}/fig3_f.png", caption="../report/fig3_f.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig3_f.log",
    benchmark:
        f"{RES}/benchmarks/fig3_f/fig3_f.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    threads: rule_threads("fig3_f")
    resources:
        mem_mb=rule_mem_mb("fig3_f"),
        runtime=rule_runtime("fig3_f"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig3_f --inputs {input} --stem {params.stem} > {log} 2>&1"
