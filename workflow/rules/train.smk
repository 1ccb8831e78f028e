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
        f"{RES}/benchmarks/train_rbm/{{method}}_M{{hidden}}_replica{{replica}}.tsv"
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
