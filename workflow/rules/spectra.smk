# Fig. 3: singular spectra of random inits vs Marchenko-Pastur (a-d), kurtosis of the
# reciprocal variables (e), trained spectra (f) and the gap table of the trained spectra.

FIGURE_STEMS.extend(f"{FIG}/fig3_{PANELS[i]}" for i in range(len(RANDOM_HIDDEN)))
FIGURE_STEMS.extend([f"{FIG}/fig3_e", f"{FIG}/fig3_f"])


use rule step_job as random_spectrum with:
    output:
        **outputs("random_spectrum"),
    log:
        **logs("random_spectrum"),
    threads: threads_of("random_spectrum")
    resources:
        **resources_of("random_spectrum"),
    params:
        job=job("random_spectrum"),


use rule step_job as fig3_mp with:
    input:
        table=lambda w: random_spectrum_output("table", w.panel),
        curve=lambda w: random_spectrum_output("curve", w.panel),
    output:
        **outputs("fig3_mp"),
    log:
        **logs("fig3_mp"),
    threads: threads_of("fig3_mp")
    resources:
        **resources_of("fig3_mp"),
    params:
        job=job("fig3_mp"),


use rule step_job as kurtosis with:
    output:
        **outputs("kurtosis"),
    log:
        **logs("kurtosis"),
    wildcard_constraints:
        variant="code|text",
    threads: threads_of("kurtosis")
    resources:
        **resources_of("kurtosis"),
    params:
        job=job("kurtosis"),


use rule step_job as fig3_e with:
    input:
        tables=expand(
            [rules.kurtosis.output.summary, rules.kurtosis.output.fit],
            variant=config["spectra"]["kurtosis"]["variants"],
        ),
    output:
        **outputs("fig3_e"),
    log:
        **logs("fig3_e"),
    threads: threads_of("fig3_e")
    resources:
        **resources_of("fig3_e"),
    params:
        job=job("fig3_e"),


use rule step_job as trained_spectra with:
    input:
        checkpoints=last_checkpoints(),
    output:
        **outputs("trained_spectra"),
    log:
        **logs("trained_spectra"),
    threads: threads_of("trained_spectra")
    resources:
        **resources_of("trained_spectra"),
    params:
        job=job("trained_spectra"),


use rule step_job as fig3_f with:
    input:
        table=rules.trained_spectra.output.table,
    output:
        **outputs("fig3_f"),
    log:
        **logs("fig3_f"),
    threads: threads_of("fig3_f")
    resources:
        **resources_of("fig3_f"),
    params:
        job=job("fig3_f"),


use rule step_job as spectral_gap with:
    input:
        values=rules.trained_spectra.output.values,
    output:
        **outputs("spectral_gap"),
    log:
        **logs("spectral_gap"),
    threads: threads_of("spectral_gap")
    resources:
        **resources_of("spectral_gap"),
    params:
        job=job("spectral_gap"),


TABLE_TARGETS.append(rules.spectral_gap.output.table)
