"""CDM-transition reassessment over a registry export (``pacm transition``).

Modules, in the order a run uses them: :mod:`.mapping` (the column mapping, YAML in
``mappings/``), :mod:`.read` and :mod:`.columns` (fast reading and typed columns with ``input.*``
defect findings), :mod:`.rows` (one PDD per row plus derived transition dates), :mod:`.evaluate`
(validation and vectorised rule evaluation of a chunk of rows, the part ``--workers`` spreads),
:mod:`.run` (the whole run and the credit estimates) and :mod:`.outputs` (tables, summary, chart,
written atomically). Nothing here imports pandas at module level except what the command imports
when it runs.
"""
