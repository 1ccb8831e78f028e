# MNIST: download from mirrors (verified by checksum) and binarize.


rule download_mnist:
    output:
        **outputs("download_mnist"),
    log:
        **logs("download_mnist"),
    localrule: True
    conda:
        CONDA
    threads: threads_of("download_mnist")
    resources:
        **resources_of("download_mnist"),
    params:
        job=job("download_mnist"),
    shell:
        RUN


rule prepare_mnist:
    input:
        raw=rules.download_mnist.output,
    output:
        **outputs("prepare_mnist"),
    log:
        **logs("prepare_mnist"),
    conda:
        CONDA
    threads: threads_of("prepare_mnist")
    resources:
        **resources_of("prepare_mnist"),
    params:
        job=job("prepare_mnist"),
    shell:
        RUN
