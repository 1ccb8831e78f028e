# Reproducible-paper workflow for "Exploring the Energy Landscape of RBMs"
# (Toledo-Marin, Maiti, Fox, Melko; arXiv:2503.21536).
#
#   snakemake --cores 4                                          # paper settings (config.yaml)
#   snakemake --cores 2 --configfile workflow/presets/smoke.yaml # minutes
#
# All science lives in the package src/rbm_reciprocal; rules only call its CLI.

from snakemake.utils import min_version

min_version("8.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/loglik.smk"
include: "workflow/rules/spectra.smk"
include: "workflow/rules/reciprocal.smk"
include: "workflow/rules/symmetry.smk"
include: "workflow/rules/landau.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/report.smk"


# Jobs that run where Snakemake runs, never submitted to a cluster: the download (compute
# nodes often have no internet) and the merges of small tables.
localrules:
    all,
    download_mnist,
    loglik_table,
    rotation_js_table,
    mode_trajectory_table,
    run_parameters,


rule all:
    input:
        all_targets(),
    default_target: True
