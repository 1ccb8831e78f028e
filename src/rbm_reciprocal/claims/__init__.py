"""The claims table: the paper's statements checked against the workflow's tables.

Tables (pandas DataFrames) in, verdict rows out; nothing here reads a checkpoint.

- :mod:`.rows`: the row format; :mod:`.landscape` (claims 1-5), :mod:`.symmetry` (6-10),
  :mod:`.diffusion` (11-14): the verdicts; :mod:`.table`: the table, markdown and HTML.
- :mod:`.calibration`: the pass rate of every claim in synthetic true and false worlds, from
  the generators of :mod:`.synthetic_landscape` (claims 1-5) and :mod:`.synthetic_models`
  (6-11, 13, 14).

May import: ``core``, ``analysis``.
"""
