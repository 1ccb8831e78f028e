"""The workflow around the science: config, costs, resources, provenance.

- :mod:`.config`: loading, merging and validating the config against its schema (the only
  owner of its layout and defaults); :mod:`.settings`: a job's settings from the config;
  :mod:`.paths`: the layout of ``results/``.
- :mod:`.cost`, :mod:`.resources`: the cost model and every rule's threads, memory, runtime.
- :mod:`.calibrate`, :mod:`.cost_report`: the ``cost`` command (times the kernels here).
- :mod:`.provenance`: code and library versions of a run.

``workflow/rules/common.smk`` imports only this package's ``config``, ``settings``,
``paths``, ``cost`` and ``resources``, which import no numba, torch or matplotlib, so parsing
the workflow stays light.

May import: ``core``, ``training.settings``, ``analysis.loglik_settings``, ``sampling.backend``,
``sampling.schedules`` (all numba-free); ``calibrate`` also ``sampling``.
"""
