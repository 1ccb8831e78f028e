# Reciprocal space (Sec. 3-4): landscapes (Figs. 1 right, 2) and projected random states
# (Fig. 5).

FIGURE_STEMS.extend(f"{FIG}/{name}" for name in ("fig1_right", "fig2", "fig5"))


use rule step_job as landscape_sample with:
    input:
        checkpoint=reciprocal_checkpoint("trained"),
        data=rules.prepare_mnist.output[0],
    output:
        **outputs("landscape_sample"),
    log:
        **logs("landscape_sample"),
    threads: threads_of("landscape_sample")
    resources:
        **resources_of("landscape_sample"),
    params:
        job=job("landscape_sample"),


use rule step_job as landscape_points with:
    input:
        untrained=reciprocal_checkpoint("untrained"),
        trained=reciprocal_checkpoint("trained"),
        data=rules.prepare_mnist.output[0],
    output:
        **outputs("landscape_points"),
    log:
        **logs("landscape_points"),
    threads: threads_of("landscape_points")
    resources:
        **resources_of("landscape_points"),
    params:
        job=job("landscape_points"),


use rule step_job as uniform_projections with:
    input:
        untrained=reciprocal_checkpoint("untrained"),
        trained=reciprocal_checkpoint("trained"),
    output:
        **outputs("uniform_projections"),
    log:
        **logs("uniform_projections"),
    threads: threads_of("uniform_projections")
    resources:
        **resources_of("uniform_projections"),
    params:
        job=job("uniform_projections"),


use rule step_job as fig1_right with:
    input:
        table=rules.landscape_sample.output.table,
        image=rules.landscape_sample.output.image,
    output:
        **outputs("fig1_right"),
    log:
        **logs("fig1_right"),
    threads: threads_of("fig1_right")
    resources:
        **resources_of("fig1_right"),
    params:
        job=job("fig1_right"),


use rule step_job as fig2 with:
    input:
        landscapes=rules.landscape_points.output.landscapes,
        points=rules.landscape_points.output.points,
    output:
        **outputs("fig2"),
    log:
        **logs("fig2"),
    threads: threads_of("fig2")
    resources:
        **resources_of("fig2"),
    params:
        job=job("fig2"),


use rule step_job as fig5 with:
    input:
        table=rules.uniform_projections.output.table,
    output:
        **outputs("fig5"),
    log:
        **logs("fig5"),
    threads: threads_of("fig5")
    resources:
        **resources_of("fig5"),
    params:
        job=job("fig5"),
