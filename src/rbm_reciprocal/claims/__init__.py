"""The claims table: the paper's statements checked against the workflow's tables.

Tables (pandas DataFrames) in, verdict rows out; nothing here reads a checkpoint.

- :mod:`.rows`: the row format; :mod:`.landscape` (claims 1, 3-5), :mod:`.mp_mode` (2),
  :mod:`.symmetry` (6-8, 10), :mod:`.landau` (9, 15), :mod:`.diffusion` (11-14): the
  verdicts; :mod:`.table`: the table, markdown and HTML.
- :mod:`.calibration`: the pass rate of every claim in synthetic true and false worlds, from
  the generators of :mod:`.synthetic_landscape` (claims 1-5), :mod:`.synthetic_models`
  (6-8, 10, 11, 13, 14) and :mod:`.synthetic_landau` (9, 15).

May import: ``core``, ``analysis``.
"""
