# Beyond the paper (issue 7): the claims table, and a test of the diffusion prediction of
# Sec. 4.1 (Eqs. 29-48) with Langevin dynamics in reciprocal space.

FIGURE_STEMS.append(f"{FIG}/fig_diffusion")
TABLE_TARGETS.append(f"{RES}/claims.parquet")


rule uniform_moments:
    input:
        untrained=diffusion_checkpoint("untrained"),
        trained=diffusion_checkpoint("trained"),
    output:
        f"{RES}/claims/uniform_moments.parquet",
    log:
        f"{RES}/logs/claims/uniform_moments.log",
    benchmark:
        f"{RES}/benchmarks/uniform_moments/uniform_moments.tsv"
    params:
        n=config["claims"]["uniform_states"],
        seed=config["seed"],
    threads: rule_threads("uniform_moments")
    resources:
        mem_mb=rule_mem_mb("uniform_moments"),
        runtime=rule_runtime("uniform_moments"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal uniform-moments --checkpoint untrained:{input.untrained} "
        "--checkpoint trained:{input.trained} --samples {params.n} --seed {params.seed} "
        "--out {output} > {log} 2>&1"


rule pc_alignment:
    input:
        checkpoints=[path for _, path in alignment_checkpoints()],
        data=rules.prepare_mnist.output[0],
    output:
        f"{RES}/claims/pc_alignment.parquet",
    log:
        f"{RES}/logs/claims/pc_alignment.log",
    benchmark:
        f"{RES}/benchmarks/pc_alignment/pc_alignment.tsv"
    params:
        specs=" ".join(f"--checkpoint {spec}" for spec, _ in alignment_checkpoints()),
    threads: rule_threads("pc_alignment")
    resources:
        mem_mb=rule_mem_mb("pc_alignment"),
        runtime=rule_runtime("pc_alignment"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal pc-alignment --data {input.data} {params.specs} "
        "--out {output} > {log} 2>&1"


rule diffusion:
    input:
        untrained=diffusion_checkpoint("untrained"),
        trained=diffusion_checkpoint("trained"),
    output:
        spectrum=f"{RES}/diffusion/spectrum.parquet",
        series=f"{RES}/diffusion/series.parquet",
        summary=f"{RES}/diffusion/summary.parquet",
        final=f"{RES}/diffusion/final.parquet",
    log:
        f"{RES}/logs/diffusion/diffusion.log",
    benchmark:
        f"{RES}/benchmarks/diffusion/diffusion.tsv"
    params:
        settings=diffusion_settings_json(),
        seed=config["seed"],
    threads: rule_threads("diffusion")
    resources:
        mem_mb=rule_mem_mb("diffusion"),
        runtime=rule_runtime("diffusion"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal diffusion --untrained {input.untrained} "
        "--trained {input.trained} --settings {params.settings:q} --seed {params.seed} "
        "--out-spectrum {output.spectrum} --out-series {output.series} "
        "--out-summary {output.summary} --out-final {output.final} > {log} 2>&1"


rule fig_diffusion:
    input:
        rules.diffusion.output.spectrum,
        rules.diffusion.output.series,
        rules.diffusion.output.summary,
        rules.diffusion.output.final,
    output:
        pdf=f"{FIG}/fig_diffusion.pdf",
        png=report(
            f"{FIG}/fig_diffusion.png", caption="../report/fig_diffusion.rst", category="Figures"
        ),
    log:
        f"{RES}/logs/figures/fig_diffusion.log",
    benchmark:
        f"{RES}/benchmarks/fig_diffusion/fig_diffusion.tsv"
    params:
        stem=lambda w, output: os.path.splitext(output.pdf)[0],
    threads: rule_threads("fig_diffusion")
    resources:
        mem_mb=rule_mem_mb("fig_diffusion"),
        runtime=rule_runtime("fig_diffusion"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal figure fig_diffusion --inputs {input} --stem {params.stem} "
        "> {log} 2>&1"


rule claims:
    input:
        unpack(claims_inputs),
    output:
        table=f"{RES}/claims.parquet",
        markdown=f"{RES}/claims.md",
        html=report(f"{RES}/claims.html", caption="../report/claims.rst", category="Claims"),
    log:
        f"{RES}/logs/claims/claims.log",
    benchmark:
        f"{RES}/benchmarks/claims/claims.tsv"
    params:
        epochs=EPOCHS[-1],
        min_epochs=config["claims"]["min_epochs"],
        title=(
            f"Claims of arXiv:2503.21536 checked on this run: hidden sizes {HIDDEN}, "
            f"methods {METHODS}, {len(REPLICAS)} replica(s), {EPOCHS[-1]} epochs."
        ),
    threads: rule_threads("claims")
    resources:
        mem_mb=rule_mem_mb("claims"),
        runtime=rule_runtime("claims"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal claims --random {input.random} --kurtosis {input.kurtosis} "
        "--kurtosis-fit {input.kurtosis_fit} --moments {input.moments} --loglik {input.loglik} "
        "--js {input.js} --alignment {input.alignment} --rotated {input.rotated} "
        "--trajectories {input.trajectories} --gap {input.gap} "
        "--diffusion-spectrum {input.diffusion_spectrum} "
        "--diffusion-summary {input.diffusion_summary} --epochs {params.epochs} "
        "--min-epochs {params.min_epochs} --title {params.title:q} --out {output.table} "
        "--out-md {output.markdown} --out-html {output.html} > {log} 2>&1"
