# Symmetry breaking (Sec. 5): rotations of the singular vectors, Jensen-Shannon test (Fig. 4).

FIGURE_STEMS.append(f"{FIG}/fig4")


# The untrained reference of every figure that compares with "untrained": W, a, b all
# Normal(0, std^2) as the authors' init, N x M (Fig. 4 at every model size and at
# symmetry.reference.hidden, the reciprocal figures at their model's M), with the JS noise
# level of two such inits.
rule untrained_reference:
    output:
        checkpoint=f"{RES}/reference/untrained_M{{hidden}}.npz",
        noise=f"{RES}/reference/untrained_M{{hidden}}_js_noise.parquet",
    log:
        f"{RES}/logs/reference/untrained_M{{hidden}}.log",
    benchmark:
        f"{RES}/benchmarks/untrained_reference/untrained_M{{hidden}}.tsv"
    params:
        ref=config["symmetry"]["reference"],
        bins=config["symmetry"]["js_bins"],
        seed=config["seed"],
    threads: rule_threads("untrained_reference")
    resources:
        mem_mb=rule_mem_mb("untrained_reference"),
        runtime=rule_runtime("untrained_reference"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal untrained-reference --visible {params.ref[visible]} "
        "--hidden {wildcards.hidden} --std {params.ref[std]} --seed {params.seed} "
        "--bins {params.bins} --out {output.checkpoint} --out-noise {output.noise} > {log} 2>&1"


rule rotation_js:
    input:
        rotation_js_checkpoint,
    output:
        table=f"{RES}/symmetry/js/{{model}}.parquet",
        pdfs=f"{RES}/symmetry/js/{{model}}_pdfs.parquet",
    log:
        f"{RES}/logs/symmetry/js_{{model}}.log",
    benchmark:
        f"{RES}/benchmarks/rotation_js/js_{{model}}.tsv"
    params:
        labels=rotation_js_labels,
        seed=config["seed"],
        bins=config["symmetry"]["js_bins"],
        fraction=config["symmetry"]["rotation_fraction"],
        variant=config["symmetry"]["rotation_variant"],
    threads: rule_threads("rotation_js")
    resources:
        mem_mb=rule_mem_mb("rotation_js"),
        runtime=rule_runtime("rotation_js"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal rotation-js --checkpoint {input} --labels {params.labels:q} "
        "--seed {params.seed} --bins {params.bins} --fraction {params.fraction} "
        "--variant {params.variant} --out-table {output.table} --out-pdfs {output.pdfs} "
        "> {log} 2>&1"


rule rotation_js_table:
    input:
        [f"{RES}/symmetry/js/{m}.parquet" for m in rotation_js_models()],
    output:
        f"{RES}/symmetry/fig4_js.parquet",
    log:
        f"{RES}/logs/symmetry/fig4_js.log",
    benchmark:
        f"{RES}/benchmarks/rotation_js_table/fig4_js.tsv"
    threads: rule_threads("rotation_js_table")
    resources:
        mem_mb=rule_mem_mb("rotation_js_table"),
        runtime=rule_runtime("rotation_js_table"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal concat --inputs {input} --out {output} > {log} 2>&1"


rule fig4:
    input:
        js=rules.rotation_js_table.output[0],
        pdfs=f"{RES}/symmetry/js/{rotation_js_models()[0]}_pdfs.parquet",
        noise=[untrained_noise_file(RES, m) for m in fig4_untrained_sizes()],
    output:
        pdf=f"{FIG}/fig4.pdf",
        png=report(
            f"{FIG}/fig4.png", caption="../report/fig4.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig4.log",
    benchmark:
        f"{RES}/benchmarks/fig4/fig4.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    threads: rule_threads("fig4")
    resources:
        mem_mb=rule_mem_mb("fig4"),
        runtime=rule_runtime("fig4"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig4 --inputs {input.js} {input.pdfs} "
        "{input.noise} --stem {params.stem} > {log} 2>&1"


FIGURE_STEMS.append(f"{FIG}/fig6")


rule rotated_samples:
    input:
        symmetry_model_checkpoint(),
    output:
        npz=f"{RES}/symmetry/rotated_samples.npz",
        table=f"{RES}/symmetry/rotated_samples.parquet",
    log:
        f"{RES}/logs/symmetry/rotated_samples.log",
    benchmark:
        f"{RES}/benchmarks/rotated_samples/rotated_samples.tsv"
    params:
        seed=config["seed"],
        s=config["symmetry"]["samples"],
    threads: rule_threads("rotated_samples")
    resources:
        mem_mb=rule_mem_mb("rotated_samples"),
        runtime=rule_runtime("rotated_samples"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal rotated-samples --checkpoint {input} --seed {params.seed} "
        "--chains {params.s[chains]} --sweeps {params.s[sweeps]} "
        "--local-rotations {params.s[local_rotations]} --avoid-top {params.s[avoid_top]} "
        "--out-npz {output.npz} --out-table {output.table} > {log} 2>&1"


rule fig6:
    input:
        rules.rotated_samples.output.npz,
        rules.rotated_samples.output.table,
    output:
        pdf=f"{FIG}/fig6.pdf",
        png=report(
            f"{FIG}/fig6.png", caption="../report/fig6.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig6.log",
    benchmark:
        f"{RES}/benchmarks/fig6/fig6.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
        options=json.dumps({"n_show": config["symmetry"]["samples"]["n_show"],
                            "show": config["symmetry"]["samples"]["show"]}),
    threads: rule_threads("fig6")
    resources:
        mem_mb=rule_mem_mb("fig6"),
        runtime=rule_runtime("fig6"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig6 --inputs {input} "
        "--stem {params.stem} --options {params.options:q} > {log} 2>&1"
