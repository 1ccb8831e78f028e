"""The workflow's steps: one module per stage, named like the rule files
(``workflow/rules/<stage>.smk``), or for a part of one (``kurtosis`` and ``spectra`` of
``spectra.smk``, ``loglik_tables``, ``uniform_projections``, ``rotated_samples``,
``diffusion`` of ``claims.smk``, the batched training job ``train_replicas``, the figures
``figures``).

Each module declares its steps and runs their jobs:

- its settings, one frozen dataclass per step and the function that builds it from the
  validated config (every value from the config, whose defaults are the schema's);
- ``STEPS``: each step's :class:`~rbm_reciprocal.pipeline.step.Step` (outputs, log, job
  count, memory, work, threads), collected by :mod:`.registry` and read by the rules;
- the read-compute-write functions: read checkpoints, data and tables, call ``analysis``,
  write the tables and arrays of ``results/``;
- ``JOBS``: for each of its steps, the function that runs one job from its job file
  (:class:`~rbm_reciprocal.pipeline.job.Job`: named inputs and outputs, wildcards, the
  step's settings). Only ``python -m rbm_reciprocal run`` (:mod:`rbm_reciprocal.cli`)
  calls them.

Snakemake imports the declarations when it parses the workflow, which must not load numba,
scipy, pandas or matplotlib: a stage module binds the modules that do with
:func:`~rbm_reciprocal.core.lazy.lazy_module`, which runs them on first use (in a job).

May import: ``core``, ``data``, ``sampling``, ``training``, ``analysis``, ``claims``,
``figures`` (the figure jobs), ``pipeline`` (the Step, the job file, the cost and memory
models, the run-parameters page), each other (``stages.registry`` imports every stage).
"""
