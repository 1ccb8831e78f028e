# Landau picture of mode 1 across training (Sec. 5): Figs. 7 (first M) and 8 (the others).

FIGURE_STEMS.append(f"{FIG}/fig7")
if len(HIDDEN) > 1:
    FIGURE_STEMS.append(f"{FIG}/fig8")


rule mode_trajectory:
    input:
        checkpoint=lambda w: checkpoint_files(
            landau_method(), w.hidden, config["landau"]["replica"], [int(w.epoch)]
        )[0],
        data=rules.prepare_mnist.output[0],
        previous=landau_previous_checkpoint,
    output:
        f"{RES}/landau/M{{hidden}}/epoch_{{epoch}}.parquet",
    log:
        f"{RES}/logs/landau/M{{hidden}}_epoch_{{epoch}}.log",
    benchmark:
        f"{RES}/benchmarks/mode_trajectory/M{{hidden}}_epoch_{{epoch}}.tsv"
    params:
        labels=lambda w: json.dumps(
            {"hidden": int(w.hidden), "method": landau_method(),
             "replica": config["landau"]["replica"], "epoch": int(w.epoch)}
        ),
        digits=json.dumps(config["landau"]["digits"]),
        seed=config["seed"],
        c=config["landau"],
        previous=lambda w, input: f"--previous {input.previous}" if input.previous else "",
    threads: rule_threads("mode_trajectory")
    resources:
        mem_mb=rule_mem_mb("mode_trajectory"),
        runtime=rule_runtime("mode_trajectory"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal mode-trajectory --checkpoint {input.checkpoint} "
        "--data {input.data} --labels {params.labels:q} --seed {params.seed} "
        "--digits {params.digits:q} --uniform-states {params.c[uniform_states]} "
        "--bins {params.c[bins]} --chains {params.c[gibbs_chains]} "
        "--sweeps {params.c[gibbs_sweeps]} {params.previous} --out {output} > {log} 2>&1"


rule mode_trajectory_table:
    input:
        [
            f"{RES}/landau/M{m}/epoch_{e:04d}.parquet"
            for m in HIDDEN
            for e in landau_epochs()
        ],
    output:
        f"{RES}/landau/mode_trajectories.parquet",
    log:
        f"{RES}/logs/landau/mode_trajectories.log",
    benchmark:
        f"{RES}/benchmarks/mode_trajectory_table/mode_trajectories.tsv"
    params:
        orientation=config["landau"]["orientation"],
    threads: rule_threads("mode_trajectory_table")
    resources:
        mem_mb=rule_mem_mb("mode_trajectory_table"),
        runtime=rule_runtime("mode_trajectory_table"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal mode-trajectory-table --inputs {input} "
        "--orientation {params.orientation} --out {output} > {log} 2>&1"


rule fig7_8:
    input:
        rules.mode_trajectory_table.output[0],
    output:
        pdf=f"{FIG}/fig{{n}}.pdf",
        png=report(
            f"{FIG}/fig{{n}}.png", caption="../report/fig7_8.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig{{n}}.log",
    benchmark:
        f"{RES}/benchmarks/fig7_8/fig{{n}}.tsv"
    wildcard_constraints:
        n="7|8",
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
        options=lambda w: json.dumps({"hidden": HIDDEN[:1] if w.n == "7" else HIDDEN[1:]}),
    threads: rule_threads("fig7_8")
    resources:
        mem_mb=rule_mem_mb("fig7_8"),
        runtime=rule_runtime("fig7_8"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig7_8 --inputs {input} "
        "--stem {params.stem} --options {params.options:q} > {log} 2>&1"
