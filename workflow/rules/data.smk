# MNIST: download from mirrors (verified by checksum) and binarize.


use rule step_job as download_mnist with:
    output:
        **outputs("download_mnist"),
    log:
        **logs("download_mnist"),
    localrule: True
    threads: threads_of("download_mnist")
    resources:
        **resources_of("download_mnist"),
    params:
        job=job("download_mnist"),


use rule step_job as prepare_mnist with:
    input:
        raw=rules.download_mnist.output,
    output:
        **outputs("prepare_mnist"),
    log:
        **logs("prepare_mnist"),
    threads: threads_of("prepare_mnist")
    resources:
        **resources_of("prepare_mnist"),
    params:
        job=job("prepare_mnist"),
