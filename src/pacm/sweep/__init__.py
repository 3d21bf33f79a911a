"""``pacm sweep``: one population of activities, many parameter scenarios, tidy Parquet out.

:mod:`.scenarios` reads the scenarios file, :mod:`.run` evaluates the population once and runs one
task per scenario (in process, on a local Dask cluster, or on an existing one), :mod:`.outputs`
writes the tables, the summary and the chart atomically.
"""
