"""The plan of the workflow: from the validated config to its steps, their jobs and costs.

(:mod:`rbm_reciprocal.stages` is what each job does; this package is what there is to do.)

- :mod:`.config`: loading, merging and validating the config against its schema (the only
  owner of its layout and defaults), and checks across keys.
- :mod:`.step`: :class:`~.step.Step`, what a step declares (in its stage module,
  :mod:`rbm_reciprocal.stages`): its settings, the stage module that runs its jobs, its job
  count, memory (:mod:`.memory`) and work (:mod:`.cost`, :mod:`.cost_loglik`);
  :mod:`.resources`, :mod:`.runtime`: a job's threads, memory and time limit from its step.
- :mod:`.job`: the job file a rule writes and ``python -m rbm_reciprocal run`` reads;
  :mod:`.paths`: the layout of ``results/`` and ``figures/`` (the folders, a training run's files);
  :mod:`.fingerprint`: which config made a results folder.
- :mod:`.calibrate`, :mod:`.cost_report`: the ``cost`` command (times the kernels here).
- :mod:`.provenance`: code and library versions of a run.

``workflow/rules/common.smk`` imports only modules of this package that import no numba,
torch, scipy, pandas or matplotlib, and the steps' declarations
(:mod:`rbm_reciprocal.stages.registry`, whose stage modules load those lazily), so parsing
the workflow stays light (``tests/test_architecture.py`` checks it).

May import: ``core``, ``data.idx``, ``training.settings``, ``analysis.loglik_settings``,
``sampling.backend``, ``sampling.schedules`` (all numba-free); ``calibrate`` also ``sampling``.
"""
