# The run's parameters for the Snakemake report (`snakemake --report report.zip`).

TABLE_TARGETS.append(f"{RES}/run_parameters.yaml")


rule run_parameters:
    input:
        config_files(),
    output:
        yaml=f"{RES}/run_parameters.yaml",
        html=report(
            f"{RES}/run_parameters.html",
            caption="../report/run_parameters.rst",
            category="Run parameters",
        ),
    log:
        f"{RES}/logs/run_parameters.log",
    benchmark:
        f"{RES}/benchmarks/run_parameters/run_parameters.tsv"
    params:
        config=json.dumps(config),
        checkout=lambda w: workflow.basedir,
    threads: rule_threads("run_parameters")
    resources:
        mem_mb=rule_mem_mb("run_parameters"),
        runtime=rule_runtime("run_parameters"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal run-parameters --config-json {params.config:q} "
        "--checkout {params.checkout:q} --out-yaml {output.yaml} --out-html {output.html} "
        "> {log} 2>&1"
