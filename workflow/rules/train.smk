# Training of RBM replicas: one job per (method, hidden size, replica), resumable; with
# training.batch_replicas one job per (method, hidden size) trains every replica (rule
# train_rbm_batched: the same files; it pays on GPUs, see README "The Gibbs core"). With
# models.source set, rule import_models (models.smk) provides the models instead.
#
# cache: True lets Snakemake's between-workflow output cache (--cache with
# $SNAKEMAKE_OUTPUT_CACHE) reuse a model across checkouts; Snakemake allows that only for
# named outputs (every job's log ends with its time and peak memory).

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
