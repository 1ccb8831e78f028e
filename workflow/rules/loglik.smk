# Log-likelihood by AIS and reverse AIS (Fig. 1 left): loglik.method trajectory runs one
# resumable job per replica along its checkpoints (plus standard crosschecks at
# loglik.crosscheck.epochs); standard runs one job per (method, hidden, replica, epoch).
# Then a table of all rows and the figure.

FIGURE_STEMS.append(f"{FIG}/fig1_left")


rule loglik:
    input:
        checkpoint=loglik_checkpoint,
        data=rules.prepare_mnist.output[0],
    output:
        f"{RES}/loglik/{{method}}/M{{hidden}}/replica{{replica}}/epoch_{{epoch}}.parquet",
    log:
        f"{RES}/logs/loglik/{{method}}_M{{hidden}}_replica{{replica}}_epoch{{epoch}}.log",
    cache: True  # between-workflow cache (train.smk): no benchmark, the log has time and memory
    params:
        settings=loglik_settings_json("standard"),
    wildcard_constraints:
        epoch=r"\d+",
    threads: rule_threads("loglik")
    resources:
        mem_mb=rule_mem_mb("loglik"),
        runtime=rule_runtime("loglik"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal loglik --checkpoint {input.checkpoint} --data {input.data} "
        "--out {output} --settings {params.settings:q} --method {wildcards.method} "
        "--hidden {wildcards.hidden} --replica {wildcards.replica} --epoch {wildcards.epoch} "
        "> {log} 2>&1"


rule loglik_trajectory:
    input:
        checkpoints=loglik_trajectory_checkpoints,
        data=rules.prepare_mnist.output[0],
    output:
        f"{RES}/loglik/trajectory/{{method}}/M{{hidden}}/replica{{replica}}.parquet",
    log:
        f"{RES}/logs/loglik/trajectory_{{method}}_M{{hidden}}_replica{{replica}}.log",
    cache: True  # as rule loglik: no benchmark, the log ends with time and peak memory
    params:
        settings=loglik_settings_json("trajectory"),
        epochs=" ".join(str(e) for e in loglik_trajectory_epochs()[0]),
        rows=" ".join(str(e) for e in loglik_trajectory_epochs()[1]),
    threads: rule_threads("loglik_trajectory")
    resources:
        mem_mb=rule_mem_mb("loglik_trajectory"),
        runtime=rule_runtime("loglik_trajectory"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal loglik-trajectory --checkpoints {input.checkpoints} "
        "--epochs {params.epochs} --rows {params.rows} --data {input.data} --out {output} "
        "--settings {params.settings:q} --method {wildcards.method} "
        "--hidden {wildcards.hidden} --replica {wildcards.replica} >> {log} 2>&1"


rule loglik_crosscheck:
    input:
        checkpoint=loglik_checkpoint,
        data=rules.prepare_mnist.output[0],
    output:
        f"{RES}/loglik/crosscheck/{{method}}/M{{hidden}}/replica{{replica}}/epoch_{{epoch}}.parquet",
    log:
        f"{RES}/logs/loglik/crosscheck_{{method}}_M{{hidden}}_replica{{replica}}_epoch{{epoch}}.log",
    cache: True
    params:
        settings=loglik_settings_json("crosscheck"),
    wildcard_constraints:
        epoch=r"\d+",
    threads: rule_threads("loglik_crosscheck")
    resources:
        mem_mb=rule_mem_mb("loglik_crosscheck"),
        runtime=rule_runtime("loglik_crosscheck"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal loglik --checkpoint {input.checkpoint} --data {input.data} "
        "--out {output} --settings {params.settings:q} --method {wildcards.method} "
        "--hidden {wildcards.hidden} --replica {wildcards.replica} --epoch {wildcards.epoch} "
        "> {log} 2>&1"


rule loglik_table:
    input:
        rows=loglik_rows(),
        checks=loglik_checks(),
    output:
        f"{RES}/loglik/loglik.parquet",
    log:
        f"{RES}/logs/loglik/loglik_table.log",
    benchmark:
        f"{RES}/benchmarks/loglik_table/loglik_table.tsv"
    threads: rule_threads("loglik_table")
    resources:
        mem_mb=rule_mem_mb("loglik_table"),
        runtime=rule_runtime("loglik_table"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal loglik-table --inputs {input.rows} --checks {input.checks} "
        "--out {output} > {log} 2>&1"


rule fig1_left:
    input:
        rules.loglik_table.output[0],
    output:
        pdf=f"{FIG}/fig1_left.pdf",
        png=report(
            f"{FIG}/fig1_left.png", caption="../report/fig1_left.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig1_left.log",
    benchmark:
        f"{RES}/benchmarks/fig1_left/fig1_left.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    threads: rule_threads("fig1_left")
    resources:
        mem_mb=rule_mem_mb("fig1_left"),
        runtime=rule_runtime("fig1_left"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig1_left --inputs {input} --stem {params.stem} "
        "> {log} 2>&1"
