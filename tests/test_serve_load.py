"""50 concurrent uploads to a real ``pacm serve`` on 127.0.0.1: every answer complete and correct.

Correct means: status 200 and the very JSON ``pacm check --format json`` gives for the same file
(the source name aside), so no answer carries another request's findings or overrides. Half the
requests carry a parameter override, so a leak between requests would show. Bounded: a hung
request fails the test after 120 s instead of hanging the suite. Timing is measured by
``benchmarks/bench_serve.py``, not here.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi", reason="pacm[serve] is not installed")

from serve_helpers import running_server  # noqa: E402

from pacm.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
AS_OF = "2026-11-01"
N = 50
OVERRIDE = "crediting_period.er_renewable_max_years=4"


def expected_json(capsys, path: Path, override: bool) -> dict:
    extra = ["--param", OVERRIDE] if override else []
    main(["check", str(path), "--as-of", AS_OF, "--format", "json", *extra])
    doc = json.loads(capsys.readouterr().out)
    doc["pdd"].pop("source")
    return doc


async def _fire(base: str, jobs: list[tuple[Path, bool]]):
    limits = httpx.Limits(max_connections=N, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        async def one(path: Path, override: bool):
            data = {"as_of": AS_OF}
            if override:
                data["params"] = OVERRIDE
            return await client.post("/api/check", files={"pdd": (path.name, path.read_bytes())}, data=data)

        return await asyncio.wait_for(asyncio.gather(*(one(p, o) for p, o in jobs)), 120)


def test_fifty_concurrent_uploads_all_correct(capsys):
    jobs = [(EXAMPLES[i % len(EXAMPLES)], (i // len(EXAMPLES)) % 2 == 1) for i in range(N)]
    expected = {(p, o): expected_json(capsys, p, o) for p, o in set(jobs)}
    with running_server(workers=2) as base:
        answers = asyncio.run(_fire(base, jobs))
    assert len(answers) == N
    for (path, override), r in zip(jobs, answers):
        assert r.status_code == 200, r.text[:500]
        got = r.json()
        assert got["pdd"].pop("source") == path.name
        assert got == expected[(path, override)], (path.name, override)
    # the override really differs from the plain answer, so the comparison above can tell them apart
    assert expected[(EXAMPLES[0], True)]["engine"] != expected[(EXAMPLES[0], False)]["engine"]
