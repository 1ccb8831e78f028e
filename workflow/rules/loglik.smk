# Log-likelihood by AIS and reverse AIS (Fig. 1 left): loglik.method trajectory runs one
# resumable job per replica along its checkpoints (plus standard crosschecks at
# loglik.crosscheck.epochs); standard runs one job per (method, hidden, replica, epoch).
# Then a table of all rows and the figure. The log-likelihood jobs use the between-workflow
# cache (cache: True, as train.smk).

FIGURE_STEMS.append(f"{FIG}/fig1_left")


use rule step_job as loglik with:
    input:
        checkpoint=loglik_checkpoint,
        data=rules.prepare_mnist.output[0],
    output:
        **outputs("loglik"),
    log:
        **logs("loglik"),
    wildcard_constraints:
        epoch=r"\d+",
    cache: True
    threads: threads_of("loglik")
    resources:
        **resources_of("loglik"),
    params:
        job=job("loglik"),


use rule resumable_step_job as loglik_trajectory with:
    input:
        checkpoints=loglik_trajectory_checkpoints,
        data=rules.prepare_mnist.output[0],
    output:
        **outputs("loglik_trajectory"),
    log:
        **logs("loglik_trajectory"),
    cache: True
    threads: threads_of("loglik_trajectory")
    resources:
        **resources_of("loglik_trajectory"),
    params:
        job=job("loglik_trajectory"),


use rule step_job as loglik_crosscheck with:
    input:
        checkpoint=loglik_checkpoint,
        data=rules.prepare_mnist.output[0],
    output:
        **outputs("loglik_crosscheck"),
    log:
        **logs("loglik_crosscheck"),
    wildcard_constraints:
        epoch=r"\d+",
    cache: True
    threads: threads_of("loglik_crosscheck")
    resources:
        **resources_of("loglik_crosscheck"),
    params:
        job=job("loglik_crosscheck"),


use rule step_job as loglik_table with:
    input:
        rows=loglik_rows(),
        checks=loglik_checks(),
    output:
        **outputs("loglik_table"),
    log:
        **logs("loglik_table"),
    localrule: True
    threads: threads_of("loglik_table")
    resources:
        **resources_of("loglik_table"),
    params:
        job=job("loglik_table"),


use rule step_job as fig1_left with:
    input:
        table=rules.loglik_table.output.table,
    output:
        **outputs("fig1_left"),
    log:
        **logs("fig1_left"),
    threads: threads_of("fig1_left")
    resources:
        **resources_of("fig1_left"),
    params:
        job=job("fig1_left"),


use rule step_job as loglik_report with:
    input:
        table=rules.loglik_table.output.table,
    output:
        **outputs("loglik_report"),
    log:
        **logs("loglik_report"),
    threads: threads_of("loglik_report")
    resources:
        **resources_of("loglik_report"),
    params:
        job=job("loglik_report"),


TABLE_TARGETS.append(rules.loglik_report.output.html)
