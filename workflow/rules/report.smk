# The run's parameters for the Snakemake report (`snakemake --report report.zip`): the merged
# config and the checkout's commit (editing a config file redoes it).


rule run_parameters:
    input:
        configs=config_files(),
    output:
        yaml=outputs("run_parameters")["yaml"],
        html=report(
            outputs("run_parameters")["html"],
            caption="../report/run_parameters.rst",
            category="Run parameters",
        ),
    log:
        **logs("run_parameters"),
    benchmark:
        bench("run_parameters")
    params:
        job=job("run_parameters", checkout=workflow.basedir),
    threads: threads_of("run_parameters")
    resources:
        **resources_of("run_parameters"),
    conda:
        CONDA
    shell:
        RUN


TABLE_TARGETS.append(rules.run_parameters.output.yaml)
