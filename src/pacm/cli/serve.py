"""``pacm serve``: the command that starts the web service (the service itself is :mod:`pacm.serve.app`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        port: int = typer.Option(8000, "--port", "-p", help="TCP port to listen on."),
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (127.0.0.1: this machine only)."),
        workers: int = typer.Option(2, "--workers", "-w", help="Check processes (each check runs in one, with a time limit)."),
        timeout: float = typer.Option(30.0, "--timeout", help="Seconds a check may take before it is stopped (504)."),
    ):
        """Serve the HTTP API (OpenAPI docs at /docs) and the upload page on http://HOST:PORT/."""
        from ..errors import fail_input

        if not 1 <= port <= 65535:
            fail_input(f"--port {port} is not a TCP port", "a number from 1 to 65535")
        if not 1 <= workers <= 32:
            fail_input(f"--workers {workers} must be between 1 and 32")
        if not 0 < timeout <= 3600:
            fail_input(f"--timeout {timeout:g} must be between 0 and 3600 seconds")
        try:
            import uvicorn

            from ..serve.app import create_app
        except ModuleNotFoundError as exc:
            fail_input(f"pacm serve needs the 'serve' extras ({exc.name} is missing)", hint="pip install 'pacm[serve]'")
        import sys

        sys.stderr.write(f"pacm serve: http://{host}:{port}/ (API docs at /docs); Ctrl-C stops it\n")
        uvicorn.run(create_app(workers=workers, timeout=timeout), host=host, port=port, log_level="warning")
