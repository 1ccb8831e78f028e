# MNIST: download from mirrors (verified by checksum) and binarize.


rule download_mnist:
    output:
        expand(f"{RES}/data/raw/{{name}}.gz", name=MNIST_FILES),
    log:
        f"{RES}/logs/download_mnist.log",
    params:
        sources=" ".join(f"--source {s!r}" for s in config["data"]["sources"]),
        sha256=json.dumps(config["data"]["sha256"]),
        retries=config["data"]["retries"],
        timeout=config["data"]["timeout"],
        out_dir=lambda w, output: os.path.dirname(output[0]),
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
    params:
        raw_dir=lambda w, input: os.path.dirname(input[0]),
        settings=json.dumps(
            {
                k: config["data"][k]
                for k in ("binarization", "threshold", "n_train", "n_test", "digits")
            }
            | {"seed": config["seed"]}
        ),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal prepare --raw-dir {params.raw_dir} --out {output} "
        "--settings {params.settings:q} > {log} 2>&1"
