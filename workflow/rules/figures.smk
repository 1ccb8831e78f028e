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
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
        options=lambda w: json.dumps({"panel": w.panel}),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig3_mp --inputs {input} --stem {params.stem} "
        "--options {params.options:q} > {log} 2>&1"


rule fig3f_trained_spectra:
    input:
        rules.trained_spectra.output.table,
    output:
        pdf=f"{FIG}/fig3_f.pdf",
        png=report(
            f"{FIG}/fig3_f.png", caption="../report/fig3_f.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig3_f.log",
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig3f_trained_spectra --inputs {input} --stem {params.stem} > {log} 2>&1"
