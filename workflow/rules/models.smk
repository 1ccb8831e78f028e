# Trained models from an archive (models.source; README "Sharing trained models"): fetched,
# checked against the config's training settings and the manifest's sha256, instead of
# rule train_rbm (train.smk). Local: compute nodes often have no internet.

if config["models"]["source"]:

    localrules:
        import_models,

    rule import_models:
        output:
            manifest=f"{RES}/models/manifest.json",
            files=[f for model in model_files() for f in model],
        log:
            f"{RES}/logs/import_models.log",
        benchmark:
            f"{RES}/benchmarks/import_models/import_models.tsv"
        params:
            source=config["models"]["source"],
            results=lambda w, output: os.path.dirname(os.path.dirname(output.manifest)),
            files=" ".join(os.path.relpath(f, RES) for m in model_files() for f in m),
            training=json.dumps(training_fingerprint(config)),
            retries=config["models"]["retries"],
            timeout=config["models"]["timeout"],
        threads: rule_threads("import_models")
        resources:
            mem_mb=rule_mem_mb("import_models"),
            runtime=rule_runtime("import_models"),
        conda:
            "../../envs/rbm.yaml"
        shell:
            "python -m rbm_reciprocal models import --source {params.source:q} --results {params.results} "
            "--files {params.files} --training {params.training:q} "
            "--manifest-out {output.manifest} --retries {params.retries} "
            "--timeout {params.timeout} > {log} 2>&1"
