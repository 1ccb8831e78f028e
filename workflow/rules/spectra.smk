# Singular spectra: random inits vs Marchenko-Pastur (Fig. 3a-d), trained models (Fig. 3f).


rule random_spectrum:
    output:
        table=f"{RES}/spectra/random_N{{visible}}_M{{hidden}}.parquet",
        curve=f"{RES}/spectra/random_N{{visible}}_M{{hidden}}_mp.parquet",
    log:
        f"{RES}/logs/spectra/random_N{{visible}}_M{{hidden}}.log",
    params:
        sigma=config["spectra"]["random"]["sigma"],
        n_matrices=config["spectra"]["random"]["n_matrices"],
        bins=config["spectra"]["random"]["bins"],
        seed=config["seed"],
    threads: 1
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal random-spectrum --visible {wildcards.visible} "
        "--hidden {wildcards.hidden} --sigma {params.sigma} --n-matrices {params.n_matrices} "
        "--bins {params.bins} --seed {params.seed} --out-table {output.table} "
        "--out-curve {output.curve} > {log} 2>&1"


rule trained_spectra:
    input:
        [path for *_, path in final_checkpoints()],
    output:
        table=f"{RES}/spectra/trained.parquet",
        values=f"{RES}/spectra/trained_values.parquet",
    log:
        f"{RES}/logs/spectra/trained.log",
    params:
        specs=" ".join(
            f"--checkpoint {m}:{meth}:{r}:{path}" for m, meth, r, path in final_checkpoints()
        ),
    conda:
        "../../envs/rbm.yaml"
    shell:
        "python -m rbm_reciprocal trained-spectra {params.specs} --out-table {output.table} > {log} 2>&1"
