# Training of RBM replicas: one job per (method, hidden size, replica), resumable.


rule train_rbm:
    input:
        data=rules.prepare_mnist.output[0],
    output:
        checkpoints=checkpoint_files("{method}", "{hidden}", "{replica}"),
        metrics=f"{RES}/train/{{method}}/M{{hidden}}/replica{{replica}}/metrics.parquet",
    log:
        f"{RES}/logs/train/{{method}}_M{{hidden}}_replica{{replica}}.log",
    benchmark:
        f"{RES}/benchmarks/train/{{method}}_M{{hidden}}_replica{{replica}}.tsv"
    params:
        out_dir=lambda w, output: os.path.dirname(output.metrics),
        settings=train_settings_json,
    threads: config["training"]["threads"]
    resources:
        mem_mb=lambda w: train_mem_mb(784, int(w.hidden), config["data"]["n_train"] or 60000),
        runtime=lambda w, threads, attempt: job_runtime_minutes(
            config, "train_rbm", w, threads, attempt
        ),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal train --data {input.data} --out-dir {params.out_dir} "
        "--settings {params.settings:q} > {log} 2>&1"
