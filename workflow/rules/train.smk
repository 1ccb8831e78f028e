# Training of RBM replicas: one job per (method, hidden size, replica), resumable; with
# training.batch_replicas one job per (method, hidden size) trains every replica (rule
# train_rbm_batched: the same files; it pays on GPUs, see README "The Gibbs core"). With
# models.source set, rule import_models (models.smk) provides the models instead.
#
# cache: True lets Snakemake's between-workflow output cache (--cache with
# $SNAKEMAKE_OUTPUT_CACHE) reuse a model across checkouts; Snakemake allows that only for
# named outputs and without a benchmark (the job's log ends with its time and peak memory).

if not config["models"]["source"] and config["training"]["batch_replicas"]:

    rule train_rbm_batched:
        input:
            data=rules.prepare_mnist.output[0],
        output:
            **batched_train_outputs("{method}", "{hidden}"),
        log:
            f"{RES}/logs/train/{{method}}_M{{hidden}}_replicas.log",
        cache: True
        params:
            out_dirs=lambda w: [
                f"{RES}/train/{w.method}/M{w.hidden}/replica{r}" for r in REPLICAS
            ],
            settings=train_replicas_settings_json,
        threads: rule_threads("train_rbm_batched")
        resources:
            mem_mb=rule_mem_mb("train_rbm_batched"),
            runtime=rule_runtime("train_rbm_batched"),
        conda:
            "../../envs/rbm.yaml"
        shell:
            "python -m rbm_reciprocal train-replicas --data {input.data} "
            "--out-dir {params.out_dirs:q} --settings {params.settings:q} > {log} 2>&1"

elif not config["models"]["source"]:

    rule train_rbm:
        input:
            data=rules.prepare_mnist.output[0],
        output:
            **named_checkpoint_files("{method}", "{hidden}", "{replica}"),
            metrics=f"{RES}/train/{{method}}/M{{hidden}}/replica{{replica}}/metrics.parquet",
        log:
            f"{RES}/logs/train/{{method}}_M{{hidden}}_replica{{replica}}.log",
        cache: True
        params:
            out_dir=lambda w, output: os.path.dirname(output.metrics),
            settings=train_settings_json,
        threads: rule_threads("train_rbm")
        resources:
            mem_mb=rule_mem_mb("train_rbm"),
            runtime=rule_runtime("train_rbm"),
        conda:
            "../../envs/rbm.yaml"
        shell:
            "python -m rbm_reciprocal train --data {input.data} --out-dir {params.out_dir} "
            "--settings {params.settings:q} > {log} 2>&1"
