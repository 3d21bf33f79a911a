"""``pacm serve``: the HTTP API and the upload page (FastAPI; OpenAPI docs at ``/docs``).

Stateless: nothing uploaded is kept. A request carries the PDD, the date and any parameter
overrides; the answer carries the whole result. Two limits protect a shared server:

* the request body is refused past :data:`MAX_UPLOAD` bytes (413), counted as it arrives, so an
  oversized upload is never read whole; the loaders then apply the CLI's own per-format limits;
* a check runs in a worker process and is given :data:`TIMEOUT` seconds; past that the workers
  are terminated and the answer is a 504 problem.

Errors are RFC 9457 problem details (``application/problem+json``) carrying the same ``code`` and
message as the CLI's exit-2 errors (``detail`` is the CLI's line without ``pacm: error:``), and
the list of problems in ``errors`` (code, loc, message, expected, hint).
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import multiprocessing
import os
from importlib import resources
from typing import Any, Optional

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import PacmInputError
from ..i18n import issuable_label
from .worker import display_name, run_check, warm

#: Largest request body accepted (the Excel template's own limit is 10 MiB; YAML/JSON 2 MiB).
MAX_UPLOAD = 10 * 1024 * 1024 + 64 * 1024
#: Seconds a check may take before the worker is stopped.
TIMEOUT = float(os.environ.get("PACM_SERVE_TIMEOUT", "30"))
FORMATS = ("json", "html", "markdown", "xlsx")
MEDIA = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'")
STATUS_TITLE = {400: "Bad input", 404: "Not found", 405: "Method not allowed", 413: "Upload too large",
                415: "Unsupported file type", 422: "Bad request", 503: "Service busy", 504: "Check took too long"}


def problem(status: int, code: str, detail: str, errors: list | None = None, source: str | None = None) -> JSONResponse:
    """An RFC 9457 problem details answer; ``code`` is the CLI's stable error code."""
    body: dict[str, Any] = {"type": f"urn:pacm:error:{code}", "title": STATUS_TITLE.get(status, "Error"),
                            "status": status, "detail": detail, "code": code}
    if source is not None:
        body["source"] = source
    body["errors"] = errors if errors is not None else [{"code": code, "loc": "", "message": detail}]
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def input_problem(exc: PacmInputError, status: int = 400) -> JSONResponse:
    errors = [{"code": p.code, "loc": p.loc, "message": p.message, "expected": p.expected, "hint": p.hint}
              for p in exc.problems]
    return problem(status, exc.code, exc.render(), errors, exc.source)


class BodyLimit:
    """ASGI middleware: refuse a request body over ``limit`` bytes, counting as it streams in."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_big = problem(413, "upload-too-large", f"the upload is over the {self.limit:,}-byte limit "
                          f"(expected at most {self.limit:,} bytes) [upload-too-large]")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await too_big(scope, receive, send)
        seen = 0
        state = {"over": False, "answered": False}

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    state["over"] = True
                    raise _TooLarge()
            return message

        async def watch(message):
            # once the body overran, whatever the app answers (a parse error) is replaced by the 413
            if state["over"]:
                if not state["answered"]:
                    state["answered"] = True
                    await too_big(scope, receive, send)
                return
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except _TooLarge:
            pass
        if state["over"] and not state["answered"]:
            state["answered"] = True
            await too_big(scope, receive, send)


class _TooLarge(Exception):
    pass


class Checker:
    """A pool of worker processes with a time limit per check."""

    def __init__(self, workers: int, timeout: float):
        self.workers, self.timeout = workers, timeout
        self.pool: cf.ProcessPoolExecutor | None = None

    def _pool(self) -> cf.ProcessPoolExecutor:
        if self.pool is None:
            self.pool = cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=warm)
        return self.pool

    def _reset(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            for p in list(getattr(pool, "_processes", {}).values()):
                p.terminate()
            pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, *args) -> dict:
        pool = self._pool()
        try:
            fut = pool.submit(run_check, *args)
        except cf.process.BrokenProcessPool:
            self._reset()
            fut = self._pool().submit(run_check, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)
        except asyncio.TimeoutError:
            if self.pool is pool:
                self._reset()
            return {"ok": False, "status": 504, "problem": {
                "code": "check-timeout", "source": None,
                "detail": f"the check took longer than the {self.timeout:g}-second limit [check-timeout]", "errors": None}}
        except cf.process.BrokenProcessPool:
            return {"ok": False, "status": 503, "problem": {
                "code": "worker-restarted", "source": None,
                "detail": "the check was interrupted because another check overran its time limit; send it again [worker-restarted]",
                "errors": None}}

    def close(self) -> None:
        self._reset()


def parse_params(text: str | None) -> dict[str, str]:
    """``NAME=VALUE`` lines (or ``;``-separated) from the form, as the CLI's ``--param`` reads them."""
    out: dict[str, str] = {}
    for raw in (text or "").replace(";", "\n").splitlines():
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        if "=" not in item or not item.split("=", 1)[0].strip():
            raise PacmInputError.single("params", "bad-usage", f"{item!r} is not NAME=VALUE",
                                        expected="NAME=VALUE, e.g. crediting_period.er_renewable_max_years=5")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def _lifespan(checker: Checker):
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        yield
        checker.close()

    return lifespan


def _static(name: str) -> str:
    return resources.files("pacm.serve").joinpath("static", name).read_text(encoding="utf-8")


def create_app(workers: int = 2, timeout: float | None = None, max_upload: int = MAX_UPLOAD) -> FastAPI:
    checker = Checker(workers, TIMEOUT if timeout is None else timeout)
    app = FastAPI(
        title="pacm",
        version=__version__,
        description="Check Article 6.4 (PACM) project design documents against the Supervisory Body standards. "
                    "Stateless: nothing uploaded is stored. Errors are RFC 9457 problem details with the CLI's codes.",
        lifespan=_lifespan(checker),
    )
    app.state.checker = checker

    @app.exception_handler(PacmInputError)
    async def _input(request: Request, exc: PacmInputError):
        return input_problem(exc, 404 if exc.code == "unknown-rule" else 400)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [{"code": "bad-request", "loc": ".".join(str(x) for x in e.get("loc", ())),
                   "message": e.get("msg", ""), "expected": None, "hint": None} for e in exc.errors()]
        first = errors[0] if errors else {"loc": "", "message": "bad request"}
        return problem(422, "bad-request", f"request: {first['loc']}: {first['message']} [bad-request]", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem(exc.status_code, code, f"{request.url.path}: {exc.detail} [{code}]")

    async def _check(pdd: UploadFile | None, text: str | None, as_of: str | None, params: str | None,
                     lang: str, formats: tuple[str, ...]) -> dict | JSONResponse:
        from ..asof import parse_date
        from ..i18n import check_lang

        check_lang(lang)
        if as_of:
            parse_date(as_of, "as_of")
        overrides = parse_params(params)
        if pdd is not None and pdd.filename:
            data = await pdd.read(max_upload + 1)
            name = pdd.filename
        elif text and text.strip():
            data, name = text.encode("utf-8"), "pasted.yaml"
        else:
            return problem(400, "no-pdd", "no PDD: upload a file in the field 'pdd' or paste YAML in 'text' "
                           "(expected a YAML, JSON or .xlsx PDD) [no-pdd]")
        if len(data) > max_upload:
            return problem(413, "upload-too-large", f"{display_name(name)}: the upload is over the {max_upload:,}-byte limit [upload-too-large]")
        out = await checker.run(data, name, as_of or None, overrides, lang, formats)
        if not out["ok"]:
            p = out["problem"]
            status = out.get("status") or (415 if p["code"] == "unsupported-file-type" else 400)
            return problem(status, p["code"], p["detail"], p["errors"], p.get("source"))
        return out

    @app.post("/api/check", summary="Check a PDD (the same JSON as `pacm check --format json`)",
              responses={200: {"description": "The report in the requested format"},
                         400: {"description": "Bad input: problem details with the CLI's code"},
                         413: {"description": "Upload too large"}, 504: {"description": "Check took too long"}})
    async def api_check(
        pdd: Optional[UploadFile] = File(None, description="PDD file: .yaml, .yml, .json or the pacm Excel template (.xlsx)"),
        text: Optional[str] = Form(None, description="PDD as pasted YAML (instead of a file)"),
        as_of: Optional[str] = Form(None, description="Rules and parameters in force on this date, YYYY-MM-DD (default today)"),
        params: Optional[str] = Form(None, description="Parameter overrides, NAME=VALUE per line"),
        lang: str = Form("en", description="en | ja"),
        format: str = Query("json", description="json | html | markdown | xlsx"),
    ):
        if format not in FORMATS:
            return problem(400, "bad-usage", f"format {format!r} is not allowed (expected one of {', '.join(FORMATS)}) [bad-usage]")
        out = await _check(pdd, text, as_of, params, lang, (format,))
        if isinstance(out, Response):
            return out
        if format == "json":
            return JSONResponse(out["json"], headers={"Pacm-Exit-Code": str(out["exit_code"])})
        body = out[format]
        ext = {"html": "html", "markdown": "md", "xlsx": "xlsx"}[format]
        return Response(body, media_type=MEDIA[format], headers={
            "Pacm-Exit-Code": str(out["exit_code"]),
            "Content-Disposition": f'attachment; filename="pacm-report.{ext}"'})

    @app.post("/api/report", summary="Everything the page shows: verdict, issuable units, JSON, HTML and Markdown reports")
    async def api_report(
        pdd: Optional[UploadFile] = File(None), text: Optional[str] = Form(None), as_of: Optional[str] = Form(None),
        params: Optional[str] = Form(None), lang: str = Form("en"),
    ):
        out = await _check(pdd, text, as_of, params, lang, ("html", "markdown"))
        if isinstance(out, Response):
            return out
        return {"verdict": out["verdict"], "issuable": out["issuable"], "exit_code": out["exit_code"],
                "issuable_label": issuable_label(out["exit_code"] == 1, lang),
                "summary": out["json"]["summary"], "json": out["json"], "html": out["html"], "markdown": out["markdown"]}

    @app.get("/api/rules", summary="The rules (as `pacm rules --format json`)")
    def api_rules(area: Optional[str] = None, clause: Optional[str] = None):
        from ..api import engine_for
        from ..explain import select_rules

        return select_rules(engine_for().pack, area, clause)

    @app.get("/api/rules/{rule_id}", summary="One rule explained (as `pacm explain`)")
    def api_explain(rule_id: str, as_of: Optional[str] = None):
        from ..api import engine_for
        from ..asof import parse_date
        from ..explain import explain_data

        return explain_data(engine_for().pack, rule_id, parse_date(as_of))

    @app.get("/api/schema", summary="JSON Schema of the PDD format")
    def api_schema():
        from ..pdd.schema import pdd_json_schema

        return pdd_json_schema()

    @app.get("/api/methodologies", summary="Methodologies pacm quantifies")
    def api_methodologies():
        from ..quantities.methodology import default_folder, load_library

        lib = load_library(default_folder())
        out = []
        for m in lib.methodologies.values():
            d = m.describe()
            d["source"] = os.path.relpath(d["source"], default_folder().parent) if os.path.isabs(d["source"]) else d["source"]
            d["inputs"] = sorted(m.params)
            out.append(d)
        return out

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(lang: str = "en"):
        from ..i18n import check_lang, page_text

        check_lang(lang)
        html = _static("index.html")
        for key, value in page_text(lang).items():
            html = html.replace("{{" + key + "}}", value)
        return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff"})

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        kinds = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
        if name not in kinds:
            return problem(404, "not-found", f"/static/{name}: not found [not-found]")
        return Response(_static(name), media_type=kinds[name], headers={"X-Content-Type-Options": "nosniff"})

    @app.get("/api/health", include_in_schema=False)
    def health():
        return {"ok": True, "version": __version__}

    return BodyLimit(app, max_upload)  # type: ignore[return-value]


def asgi_app(max_upload: int = MAX_UPLOAD):
    """The app as uvicorn's factory (``uvicorn --factory pacm.serve.app:asgi_app``)."""
    return create_app(max_upload=max_upload)
