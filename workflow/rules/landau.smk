# Landau picture of mode 1 across training (Sec. 5): Figs. 7 (first M) and 8 (the others).

FIGURE_STEMS.append(f"{FIG}/fig7")
if len(HIDDEN) > 1:
    FIGURE_STEMS.append(f"{FIG}/fig8")


rule mode_trajectory:
    input:
        checkpoint=landau_checkpoint,
        data=rules.prepare_mnist.output[0],
        previous=landau_previous_checkpoint,
    output:
        **outputs("mode_trajectory"),
    log:
        **logs("mode_trajectory"),
    conda:
        CONDA
    threads: threads_of("mode_trajectory")
    resources:
        **resources_of("mode_trajectory"),
    params:
        job=job("mode_trajectory"),
    shell:
        RUN


rule mode_trajectory_table:
    input:
        rows=expand(rules.mode_trajectory.output.table, hidden=HIDDEN, epoch=landau_epoch_names()),
    output:
        **outputs("mode_trajectory_table"),
    log:
        **logs("mode_trajectory_table"),
    localrule: True
    conda:
        CONDA
    threads: threads_of("mode_trajectory_table")
    resources:
        **resources_of("mode_trajectory_table"),
    params:
        job=job("mode_trajectory_table"),
    shell:
        RUN


rule fig7_8:
    input:
        table=rules.mode_trajectory_table.output.table,
    output:
        **outputs("fig7_8"),
    log:
        **logs("fig7_8"),
    wildcard_constraints:
        n="7|8",
    conda:
        CONDA
    threads: threads_of("fig7_8")
    resources:
        **resources_of("fig7_8"),
    params:
        job=job("fig7_8"),
    shell:
        RUN
