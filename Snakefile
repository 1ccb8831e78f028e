# Reproducible-paper workflow for "Exploring the Energy Landscape of RBMs"
# (Toledo-Marin, Maiti, Fox, Melko; arXiv:2503.21536).
#
#   snakemake --cores 4                                          # paper settings (config.yaml)
#   snakemake --cores 2 --configfile workflow/presets/smoke.yaml # minutes
#
# All science lives in the package src/rbm_reciprocal; rules only call its CLI. The rules are
# in workflow/Snakefile; this file adds the target, rule all. Another workflow imports both as
# a module with snakefile: "<checkout>/Snakefile" (docs/deploy.md).


include: "workflow/Snakefile"


# Here, not in workflow/Snakefile: Snakemake takes the default target (default_target: True)
# only from the Snakefile it loads, not from one that file includes.
rule all:
    default_target: True
    input:
        all_targets(),
    localrule: True
