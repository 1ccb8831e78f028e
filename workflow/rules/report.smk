# The run's parameters for the Snakemake report (`snakemake --report report.zip`): the merged
# config and the checkout's commit (editing a config file redoes it).


use rule step_job as run_parameters with:
    input:
        configs=config_files(),
    output:
        **outputs("run_parameters"),
    log:
        **logs("run_parameters"),
    localrule: True
    threads: threads_of("run_parameters")
    resources:
        **resources_of("run_parameters"),
    params:
        job=job("run_parameters", checkout=str(CHECKOUT or "")),


TABLE_TARGETS.append(rules.run_parameters.output.yaml)
