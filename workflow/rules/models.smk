# Trained models from an archive (models.source; README "Sharing trained models"): fetched,
# checked against the config's training settings and the manifest's sha256, instead of
# rule train_rbm (train.smk). Local: compute nodes often have no internet.

if config["models"]["source"]:

    localrules:
        import_models,

    use rule step_job as import_models with:
        output:
            **outputs("import_models"),
        log:
            **logs("import_models"),
        threads: threads_of("import_models")
        resources:
            **resources_of("import_models"),
        params:
            job=job("import_models"),
