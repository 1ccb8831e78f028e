# Landau picture of mode 1 across training (Sec. 5): Figs. 7 (first M) and 8 (the others).

FIGURE_STEMS.append(f"{FIG}/fig7")
if len(HIDDEN) > 1:
    FIGURE_STEMS.append(f"{FIG}/fig8")


use rule step_job as mode_trajectory with:
    input:
        checkpoint=landau_checkpoint,
        data=rules.prepare_mnist.output[0],
        previous=landau_previous_checkpoint,
    output:
        **outputs("mode_trajectory"),
    log:
        **logs("mode_trajectory"),
    threads: threads_of("mode_trajectory")
    resources:
        **resources_of("mode_trajectory"),
    params:
        job=job("mode_trajectory"),


use rule step_job as mode_trajectory_table with:
    input:
        rows=expand(rules.mode_trajectory.output.table, hidden=HIDDEN, epoch=landau_epoch_names()),
    output:
        **outputs("mode_trajectory_table"),
    log:
        **logs("mode_trajectory_table"),
    localrule: True
    threads: threads_of("mode_trajectory_table")
    resources:
        **resources_of("mode_trajectory_table"),
    params:
        job=job("mode_trajectory_table"),


use rule step_job as fig7_8 with:
    input:
        table=rules.mode_trajectory_table.output.table,
    output:
        **outputs("fig7_8"),
    log:
        **logs("fig7_8"),
    wildcard_constraints:
        n="7|8",
    threads: threads_of("fig7_8")
    resources:
        **resources_of("fig7_8"),
    params:
        job=job("fig7_8"),
