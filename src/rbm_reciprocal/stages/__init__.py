"""Read-compute-write functions, one module per workflow stage, named like the rule files
(``workflow/rules/<stage>.smk``; the diffusion test of ``claims.smk`` is stage ``diffusion``):
they read checkpoints, data and tables, call ``analysis``, and write the tables and arrays
of ``results/``. Only :mod:`rbm_reciprocal.cli` calls them.

May import: ``core``, ``data``, ``sampling``, ``training``, ``analysis``, ``claims``,
``pipeline.provenance`` (the run-parameters page).
"""
