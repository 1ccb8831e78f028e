"""What each job does: one module per workflow stage, named like the rule files
(``workflow/rules/<stage>.smk``; the diffusion test of ``claims.smk`` is stage ``diffusion``,
the batched training job ``train_replicas``, the figures ``figures``).

Each module has ``JOBS``: for each of its steps, the function that runs one job from its job
file (:class:`~rbm_reciprocal.pipeline.job.Job`: named inputs and outputs, wildcards, the
step's settings). The job functions rebuild the step's settings dataclass and call the
stage's read-compute-write functions, which read checkpoints, data and tables, call
``analysis``, and write the tables and arrays of ``results/``. Only
``python -m rbm_reciprocal run`` (:mod:`rbm_reciprocal.cli`) calls them.

May import: ``core``, ``data``, ``sampling``, ``training``, ``analysis``, ``claims``,
``figures`` (the figure jobs), ``pipeline`` (the job file, the settings dataclasses, the
run-parameters page).
"""
