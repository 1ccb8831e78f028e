# Every step's rule is one of these two, given its outputs, log, job, threads and resources:
# `use rule step_job as <step> with:` (resumable steps: resumable_step_job, which appends to
# its log, so that each attempt's lines stay).
rule step_job:
    log:
        log=f"{RES}/logs/step_job.log",
        job=f"{RES}/logs/step_job.job.json",
    conda:
        CONDA
    shell:
        RUN


rule resumable_step_job:
    log:
        log=f"{RES}/logs/resumable_step_job.log",
        job=f"{RES}/logs/resumable_step_job.job.json",
    conda:
        CONDA
    shell:
        RUN_APPEND
