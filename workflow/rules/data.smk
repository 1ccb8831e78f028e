# MNIST: download from mirrors (verified by checksum) and binarize.


rule download_mnist:
    output:
        expand(f"{RES}/data/raw/{{name}}.gz", name=MNIST_FILES),
    log:
        f"{RES}/logs/download_mnist.log",
    benchmark:
        f"{RES}/benchmarks/download_mnist/download_mnist.tsv"
    params:
        sources=" ".join(f"--source {s!r}" for s in config["data"]["sources"]),
        sha256=json.dumps(config["data"]["sha256"]),
        retries=config["data"]["retries"],
        timeout=config["data"]["timeout"],
        out_dir=lambda w, output: os.path.dirname(output[0]),
    threads: rule_threads("download_mnist")
    resources:
        mem_mb=rule_mem_mb("download_mnist"),
        runtime=rule_runtime("download_mnist"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal download {params.sources} --out-dir {params.out_dir} "
        "--sha256 {params.sha256:q} --retries {params.retries} --timeout {params.timeout} "
        "> {log} 2>&1"


rule prepare_mnist:
    input:
        rules.download_mnist.output,
    output:
        f"{RES}/data/mnist.npz",
    log:
        f"{RES}/logs/prepare_mnist.log",
    benchmark:
        f"{RES}/benchmarks/prepare_mnist/prepare_mnist.tsv"
    params:
        raw_dir=lambda w, input: os.path.dirname(input[0]),
        settings=json.dumps(
            {
                k: config["data"][k]
                for k in ("binarization", "threshold", "n_train", "n_test", "digits")
            }
            | {"seed": config["seed"]}
        ),
    threads: rule_threads("prepare_mnist")
    resources:
        mem_mb=rule_mem_mb("prepare_mnist"),
        runtime=rule_runtime("prepare_mnist"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal prepare --raw-dir {params.raw_dir} --out {output} "
        "--settings {params.settings:q} > {log} 2>&1"
