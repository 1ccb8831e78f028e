"""The workflow around the science: config, costs, resources, provenance.

- :mod:`.config`: loading, merging and validating the config against its schema (the only
  owner of its layout and defaults); :mod:`.settings`: a job's settings from the config;
  :mod:`.paths`: the layout of ``results/``.
- :mod:`.steps`: one :class:`~.steps.Step` per rule (its kind, threads, memory and cost
  estimates); :mod:`.cost`, :mod:`.cost_loglik`, :mod:`.memory`: those estimates;
  :mod:`.resources`, :mod:`.runtime`: every job's threads, memory and time limit from them.
- :mod:`.calibrate`, :mod:`.cost_report`: the ``cost`` command (times the kernels here).
- :mod:`.provenance`: code and library versions of a run.

``workflow/rules/common.smk`` imports only this package's ``config``, ``settings``,
``paths``, ``runtime`` and ``resources`` (and through them ``steps``, ``memory``, ``cost``),
which import no numba, torch or matplotlib, so parsing the workflow stays light.

May import: ``core``, ``training.settings``, ``analysis.loglik_settings``, ``sampling.backend``,
``sampling.schedules`` (all numba-free); ``calibrate`` also ``sampling``.
"""
