# Beyond the paper (issue 7): the claims table, and a test of the diffusion prediction of
# Sec. 4.1 (Eqs. 29-48) with Langevin dynamics in reciprocal space.

FIGURE_STEMS.append(f"{FIG}/fig_diffusion")


use rule step_job as uniform_moments with:
    input:
        untrained=diffusion_checkpoint("untrained"),
        trained=diffusion_checkpoint("trained"),
    output:
        **outputs("uniform_moments"),
    log:
        **logs("uniform_moments"),
    threads: threads_of("uniform_moments")
    resources:
        **resources_of("uniform_moments"),
    params:
        job=job("uniform_moments"),


use rule step_job as pc_alignment with:
    input:
        checkpoints=alignment_checkpoint_files(),
        data=rules.prepare_mnist.output[0],
    output:
        **outputs("pc_alignment"),
    log:
        **logs("pc_alignment"),
    threads: threads_of("pc_alignment")
    resources:
        **resources_of("pc_alignment"),
    params:
        job=job("pc_alignment"),


use rule step_job as diffusion with:
    input:
        untrained=diffusion_checkpoint("untrained"),
        trained=diffusion_checkpoint("trained"),
    output:
        **outputs("diffusion"),
    log:
        **logs("diffusion"),
    threads: threads_of("diffusion")
    resources:
        **resources_of("diffusion"),
    params:
        job=job("diffusion"),


use rule step_job as fig_diffusion with:
    input:
        spectrum=rules.diffusion.output.spectrum,
        series=rules.diffusion.output.series,
        summary=rules.diffusion.output.summary,
        final=rules.diffusion.output.final,
    output:
        **outputs("fig_diffusion"),
    log:
        **logs("fig_diffusion"),
    threads: threads_of("fig_diffusion")
    resources:
        **resources_of("fig_diffusion"),
    params:
        job=job("fig_diffusion"),


# The inputs' names are the tables' names in rbm_reciprocal.claims.table.claims_table.
use rule step_job as claims with:
    input:
        random=expand(
            rules.random_spectrum.output.values,
            visible=config["spectra"]["random"]["visible"],
            hidden=RANDOM_HIDDEN,
        ),
        kurtosis=expand(
            rules.kurtosis.output.summary, variant=config["spectra"]["kurtosis"]["variants"]
        ),
        kurtosis_fit=expand(
            rules.kurtosis.output.fit, variant=config["spectra"]["kurtosis"]["variants"]
        ),
        moments=rules.uniform_moments.output.table,
        loglik=rules.loglik_table.output[0],
        js=rules.rotation_js_table.output[0],
        alignment=rules.pc_alignment.output.table,
        rotated=rules.rotated_samples.output.table,
        trajectories=rules.mode_trajectory_table.output.table,
        gap=rules.spectral_gap.output.table,
        diffusion_spectrum=rules.diffusion.output.spectrum,
        diffusion_summary=rules.diffusion.output.summary,
    output:
        **outputs("claims"),
    log:
        **logs("claims"),
    threads: threads_of("claims")
    resources:
        **resources_of("claims"),
    params:
        job=job("claims"),


TABLE_TARGETS.append(rules.claims.output.table)
