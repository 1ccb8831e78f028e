# Training of RBM replicas: one job per (method, hidden size, replica), resumable; with
# training.batch_replicas one job per (method, hidden size) trains every replica (rule
# train_rbm_batched: the same files; it pays on GPUs, see README "The Gibbs core"). With
# models.source set, rule import_models (models.smk) provides the models instead.
#
# cache: True lets Snakemake's between-workflow output cache (--cache with
# $SNAKEMAKE_OUTPUT_CACHE) reuse a model across checkouts; Snakemake allows that only for
# named outputs (every job's log ends with its time and peak memory).

from rbm_reciprocal.pipeline.paths import run_outputs

if not config["models"]["source"] and config["training"]["batch_replicas"]:

    use rule resumable_step_job as train_rbm_batched with:
        input:
            data=rules.prepare_mnist.output.data,
        output:
            **outputs("train_rbm_batched"),
        log:
            **logs("train_rbm_batched"),
        cache: True
        threads: threads_of("train_rbm_batched")
        resources:
            **resources_of("train_rbm_batched"),
        params:
            job=job("train_rbm_batched"),

elif not config["models"]["source"]:

    use rule resumable_step_job as train_rbm with:
        input:
            data=rules.prepare_mnist.output.data,
        output:
            **outputs("train_rbm"),
        log:
            **logs("train_rbm"),
        cache: True
        threads: threads_of("train_rbm")
        resources:
            **resources_of("train_rbm"),
        params:
            job=job("train_rbm"),


# How every model's training ended (the report's "Training" page), from the metrics tables of
# the models trained above or imported.
use rule step_job as training_report with:
    input:
        metrics=[run_outputs(config, meth, m, r)["metrics"] for m, meth, r in final_models(config)],
    output:
        **outputs("training_report"),
    log:
        **logs("training_report"),
    threads: threads_of("training_report")
    resources:
        **resources_of("training_report"),
    params:
        job=job("training_report"),


TABLE_TARGETS.append(rules.training_report.output.html)
