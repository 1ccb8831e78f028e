# Two commands: `make reproduce CORES=N` (the paper) and `make test`.
PY ?= python3
VENV ?= .venv
CORES ?= 2
CONFIG ?= config.yaml
BIN := $(VENV)/bin

.PHONY: reproduce smoke quick dryrun test test-module test-slurm torch-cpu lint bench docs clean

$(BIN)/snakemake: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The torch backend's tests run when PyTorch is importable (else they are skipped).
# `make torch-cpu` installs the CPU build (torch==2.13.0 is a local wheel on this project's
# machines, 55 s; elsewhere pick the build for your platform from pytorch.org).
torch-cpu: $(BIN)/snakemake
	$(BIN)/python -m pip install --quiet torch==2.13.0

reproduce: $(BIN)/snakemake
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) --configfile $(CONFIG)

smoke: $(BIN)/snakemake
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) --configfile workflow/presets/smoke.yaml

quick: $(BIN)/snakemake
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) --configfile workflow/presets/quick.yaml

dryrun: $(BIN)/snakemake
	$(BIN)/snakemake -n --quiet rules --configfile $(CONFIG)

lint: $(BIN)/snakemake
	$(BIN)/ruff check src tests bench docs
	$(BIN)/snakefmt --check workflow Snakefile
	$(BIN)/snakemake --lint
	$(BIN)/snakemake --lint --configfile workflow/presets/smoke.yaml

test: $(BIN)/snakemake lint
	$(BIN)/python -m pytest -q

# The workflow as a Snakemake module of a study in another folder (docs/deploy.md): dry runs,
# and the smoke preset's Figs. 3a and 3f run that way (10 jobs). `make test` runs it too.
test-module: $(BIN)/snakemake
	$(BIN)/python -m pytest -q tests/workflow/test_module.py

# The smoke DAG through a real single-node SLURM on this machine (root; installs slurm-wlm
# and munge with apt if missing). See tests/workflow/slurm/run_local_slurm.sh.
# SLURM_TARGETS: what to build (default all: the whole smoke DAG, ~60 jobs, 15-25 min on 2
# cores); .ci/run builds "figures/fig3_f.png figures/fig3_a.png", 10 jobs (9 submitted)
# that still run data, training, spectra and figures, in about 2.5 min.
SLURM_TARGETS ?= all
test-slurm: $(BIN)/snakemake
	$(BIN)/python -m pip install --quiet -e ".[test,slurm]"
	PY=$(abspath $(BIN))/python RBM_SLURM_TARGETS="$(SLURM_TARGETS)" tests/workflow/slurm/run_local_slurm.sh

# The documentation site (mkdocs.yml): a strict build fails on broken links or anchors, a
# stale docs/configuration.md and a missing, unstamped or stale measurement block.
SITE_DIR ?= site
docs: $(BIN)/snakemake
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	$(BIN)/mkdocs build --strict --site-dir $(SITE_DIR)

bench: $(BIN)/snakemake
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/gibbs.py

clean:
	rm -rf results figures .snakemake
