# Symmetry breaking (Sec. 5): rotations of the singular vectors, Jensen-Shannon test (Fig. 4),
# and Gibbs samples decoded with rotated singular vectors (Fig. 6).

FIGURE_STEMS.extend(f"{FIG}/{name}" for name in ("fig4", "fig6"))


# The untrained reference of every figure that compares with "untrained": W, a, b all
# Normal(0, std^2) as the authors' init, N x M (Fig. 4 at every model size and at
# symmetry.reference.hidden, the reciprocal figures at their model's M), with the JS noise
# level of two such inits.
use rule step_job as untrained_reference with:
    output:
        **outputs("untrained_reference"),
    log:
        **logs("untrained_reference"),
    threads: threads_of("untrained_reference")
    resources:
        **resources_of("untrained_reference"),
    params:
        job=job("untrained_reference"),


use rule step_job as rotation_js with:
    input:
        checkpoint=rotation_js_checkpoint,
    output:
        **outputs("rotation_js"),
    log:
        **logs("rotation_js"),
    threads: threads_of("rotation_js")
    resources:
        **resources_of("rotation_js"),
    params:
        job=job("rotation_js"),


use rule step_job as rotation_js_table with:
    input:
        tables=expand(rules.rotation_js.output.table, model=JS_MODELS),
    output:
        **outputs("rotation_js_table"),
    log:
        **logs("rotation_js_table"),
    localrule: True
    threads: threads_of("rotation_js_table")
    resources:
        **resources_of("rotation_js_table"),
    params:
        job=job("rotation_js_table"),


use rule step_job as fig4 with:
    input:
        js=rules.rotation_js_table.output.table,
        pdfs=expand(rules.rotation_js.output.pdfs, model=JS_MODELS[0])[0],
        noise=expand(rules.untrained_reference.output.noise, hidden=UNTRAINED_SIZES),
    output:
        **outputs("fig4"),
    log:
        **logs("fig4"),
    threads: threads_of("fig4")
    resources:
        **resources_of("fig4"),
    params:
        job=job("fig4"),


use rule step_job as rotated_samples with:
    input:
        checkpoint=symmetry_model_checkpoint(),
    output:
        **outputs("rotated_samples"),
    log:
        **logs("rotated_samples"),
    threads: threads_of("rotated_samples")
    resources:
        **resources_of("rotated_samples"),
    params:
        job=job("rotated_samples"),


use rule step_job as fig6 with:
    input:
        npz=rules.rotated_samples.output.npz,
        table=rules.rotated_samples.output.table,
    output:
        **outputs("fig6"),
    log:
        **logs("fig6"),
    threads: threads_of("fig6")
    resources:
        **resources_of("fig6"),
    params:
        job=job("fig6"),
