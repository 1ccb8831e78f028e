# Reciprocal space (Sec. 3-4): landscapes (Figs. 1 right, 2) and projected random states
# (Fig. 5).

FIGURE_STEMS.extend(f"{FIG}/{name}" for name in ("fig1_right", "fig2", "fig5"))


rule landscape_sample:
    input:
        checkpoint=reciprocal_checkpoint("trained"),
        data=rules.prepare_mnist.output[0],
    output:
        table=f"{RES}/reciprocal/fig1_right.parquet",
        image=f"{RES}/reciprocal/fig1_right_image.parquet",
    log:
        f"{RES}/logs/reciprocal/fig1_right.log",
    benchmark:
        f"{RES}/benchmarks/landscape_sample/fig1_right.tsv"
    params:
        indices=" ".join(str(i) for i in config["reciprocal"]["fig1_right"]["indices"]),
        digit=config["reciprocal"]["fig1_right"]["digit"],
        gibbs=config["reciprocal"]["gibbs"],
        seed=config["seed"],
    threads: rule_threads("landscape_sample")
    resources:
        mem_mb=rule_mem_mb("landscape_sample"),
        runtime=rule_runtime("landscape_sample"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal landscape-sample --checkpoint {input.checkpoint} "
        "--data {input.data} --indices {params.indices} --digit {params.digit} "
        "--chains {params.gibbs[n_chains]} --sweeps {params.gibbs[sweeps]} --seed {params.seed} "
        "--out-table {output.table} --out-image {output.image} > {log} 2>&1"


rule landscape_points:
    input:
        untrained=reciprocal_checkpoint("untrained"),
        trained=reciprocal_checkpoint("trained"),
        data=rules.prepare_mnist.output[0],
    output:
        landscapes=f"{RES}/reciprocal/fig2_landscapes.parquet",
        points=f"{RES}/reciprocal/fig2_points.parquet",
    log:
        f"{RES}/logs/reciprocal/fig2.log",
    benchmark:
        f"{RES}/benchmarks/landscape_points/fig2.tsv"
    params:
        indices=" ".join(str(i) for i in config["reciprocal"]["fig2"]["indices"]),
        n_test=(
            f"--n-test {config['reciprocal']['fig2']['n_test']}"
            if config["reciprocal"]["fig2"]["n_test"]
            else ""
        ),
        gibbs=config["reciprocal"]["gibbs"],
        seed=config["seed"],
    threads: rule_threads("landscape_points")
    resources:
        mem_mb=rule_mem_mb("landscape_points"),
        runtime=rule_runtime("landscape_points"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal landscape-points --untrained {input.untrained} "
        "--trained {input.trained} --data {input.data} --indices {params.indices} "
        "{params.n_test} --chains {params.gibbs[n_chains]} --sweeps {params.gibbs[sweeps]} "
        "--seed {params.seed} --out-landscapes {output.landscapes} "
        "--out-points {output.points} > {log} 2>&1"


rule uniform_projections:
    input:
        untrained=reciprocal_checkpoint("untrained"),
        trained=reciprocal_checkpoint("trained"),
    output:
        f"{RES}/reciprocal/fig5.parquet",
    log:
        f"{RES}/logs/reciprocal/fig5.log",
    benchmark:
        f"{RES}/benchmarks/uniform_projections/fig5.tsv"
    params:
        cfg=config["reciprocal"]["fig5"],
        x_indices=" ".join(str(i) for i in config["reciprocal"]["fig5"]["x_indices"]),
        y_indices=" ".join(str(i) for i in config["reciprocal"]["fig5"]["y_indices"]),
        seed=config["seed"],
    threads: rule_threads("uniform_projections")
    resources:
        mem_mb=rule_mem_mb("uniform_projections"),
        runtime=rule_runtime("uniform_projections"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal uniform-projections --untrained {input.untrained} "
        "--trained {input.trained} --x-indices {params.x_indices} "
        "--y-indices {params.y_indices} --samples {params.cfg[n_samples]} "
        "--bins {params.cfg[bins]} --seed {params.seed} --out-table {output} > {log} 2>&1"






rule fig1_right:
    input:
        rules.landscape_sample.output.table,
        rules.landscape_sample.output.image,
    output:
        pdf=f"{FIG}/fig1_right.pdf",
        png=report(
            f"{FIG}/fig1_right.png", caption="../report/fig1_right.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig1_right.log",
    benchmark:
        f"{RES}/benchmarks/fig1_right/fig1_right.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    threads: rule_threads("fig1_right")
    resources:
        mem_mb=rule_mem_mb("fig1_right"),
        runtime=rule_runtime("fig1_right"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig1_right --inputs {input} --stem {params.stem} "
        "> {log} 2>&1"


rule fig2:
    input:
        rules.landscape_points.output.landscapes,
        rules.landscape_points.output.points,
    output:
        pdf=f"{FIG}/fig2.pdf",
        png=report(
            f"{FIG}/fig2.png", caption="../report/fig2.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig2.log",
    benchmark:
        f"{RES}/benchmarks/fig2/fig2.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    threads: rule_threads("fig2")
    resources:
        mem_mb=rule_mem_mb("fig2"),
        runtime=rule_runtime("fig2"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig2 --inputs {input} --stem {params.stem} > {log} 2>&1"




rule fig5:
    input:
        rules.uniform_projections.output[0],
    output:
        pdf=f"{FIG}/fig5.pdf",
        png=report(
            f"{FIG}/fig5.png", caption="../report/fig5.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig5.log",
    benchmark:
        f"{RES}/benchmarks/fig5/fig5.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    threads: rule_threads("fig5")
    resources:
        mem_mb=rule_mem_mb("fig5"),
        runtime=rule_runtime("fig5"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig5 --inputs {input} --stem {params.stem} > {log} 2>&1"
