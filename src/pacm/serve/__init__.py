"""The web service and upload page (``pacm serve``) over the same checks as the CLI: :mod:`.app` is the
HTTP API, :mod:`.worker` runs each check in a process with a time limit. The command is :mod:`pacm.cli.serve`."""
