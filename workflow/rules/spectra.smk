# Singular spectra: random inits vs Marchenko-Pastur (Fig. 3a-d), trained models (Fig. 3f).


rule random_spectrum:
    output:
        table=f"{RES}/spectra/random_N{{visible}}_M{{hidden}}.parquet",
        curve=f"{RES}/spectra/random_N{{visible}}_M{{hidden}}_mp.parquet",
        values=f"{RES}/spectra/random_N{{visible}}_M{{hidden}}_values.parquet",
    log:
        f"{RES}/logs/spectra/random_N{{visible}}_M{{hidden}}.log",
    benchmark:
        f"{RES}/benchmarks/random_spectrum/random_N{{visible}}_M{{hidden}}.tsv"
    params:
        sigma=config["spectra"]["random"]["sigma"],
        n_matrices=config["spectra"]["random"]["n_matrices"],
        bins=config["spectra"]["random"]["bins"],
        seed=config["seed"],
    threads: rule_threads("random_spectrum")
    resources:
        mem_mb=rule_mem_mb("random_spectrum"),
        runtime=rule_runtime("random_spectrum"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal random-spectrum --visible {wildcards.visible} "
        "--hidden {wildcards.hidden} --sigma {params.sigma} --n-matrices {params.n_matrices} "
        "--bins {params.bins} --seed {params.seed} --out-table {output.table} "
        "--out-curve {output.curve} --out-values {output.values} > {log} 2>&1"


rule trained_spectra:
    input:
        [path for *_, path in final_checkpoints()],
    output:
        table=f"{RES}/spectra/trained.parquet",
        values=f"{RES}/spectra/trained_values.parquet",
    log:
        f"{RES}/logs/spectra/trained.log",
    benchmark:
        f"{RES}/benchmarks/trained_spectra/trained.tsv"
    params:
        specs=" ".join(
            f"--checkpoint {m}:{meth}:{r}:{path}" for m, meth, r, path in final_checkpoints()
        ),
        t=config["spectra"]["trained"],
    threads: rule_threads("trained_spectra")
    resources:
        mem_mb=rule_mem_mb("trained_spectra"),
        runtime=rule_runtime("trained_spectra"),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal trained-spectra {params.specs} "
        "--window {params.t[window][0]} {params.t[window][1]} --bins {params.t[bins]} "
        "--min-occupied {params.t[min_occupied_bins]} --out-table {output.table} > {log} 2>&1"
