"""The upload page in a real browser (Debian's headless Chromium over the DevTools protocol).

For each example PDD: choose the file in the page's file input, press Check, see the verdict and
the report, download the JSON and compare it with ``pacm check --format json`` on the same file.
A malformed file must show the CLI's message in the page. Expected verdicts: the landfill example
fails (its IRR 14.2 % is above the 11.0 % benchmark, see tests/test_serve_api.py); the other three
examples have no failing finding (docs/quantities.md and docs/commands/check.md show their runs).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="pacm[serve] is not installed")

from serve_helpers import running_server  # noqa: E402
from test_browser_report import Browser, chromium_path  # noqa: E402

from pacm.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
AS_OF = "2026-11-01"

pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="chromium is not installed (CI installs the Debian 'chromium' package in .ci/run)",
)


@pytest.fixture(scope="module")
def server():
    with running_server(workers=2) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with Browser(timeout=60) as b:
        yield b


class Tab:
    """One page of the service, driven like a user: fill the form, press the button, read the page."""

    def __init__(self, browser: Browser, url: str, downloads: Path):
        self.b = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page", "DOM"):
            browser.send(f"{domain}.enable", session=self.s)
        browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads),
                                                      "eventsEnabled": True})
        browser.send("Page.navigate", {"url": url}, session=self.s)
        browser.wait_event("Page.loadEventFired", self.s)

    def eval(self, js: str):
        r = self.b.send("Runtime.evaluate", {"expression": js, "returnByValue": True, "awaitPromise": True}, session=self.s)
        if "exceptionDetails" in r:
            raise RuntimeError(f"JS error: {r['exceptionDetails']}")
        return r["result"].get("value")

    def choose_file(self, path: Path) -> None:
        root = self.b.send("DOM.getDocument", session=self.s)["root"]["nodeId"]
        node = self.b.send("DOM.querySelector", {"nodeId": root, "selector": "#pdd"}, session=self.s)["nodeId"]
        self.b.send("DOM.setFileInputFiles", {"files": [str(path)], "nodeId": node}, session=self.s)

    def wait_for(self, js: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = self.eval(js)
            if v:
                return v
            time.sleep(0.1)
        raise TimeoutError(js)

    def problems(self) -> list[str]:
        out = []
        for m in self.b.events:
            if m.get("sessionId") != self.s:
                continue
            p = m.get("params", {})
            if m.get("method") == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("text", ""))
            if m.get("method") == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
                out.append(p["entry"].get("text", ""))
            if m.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning"):
                out.append(str(p.get("args")))
        return out


def submit(tab: Tab) -> None:
    tab.eval("document.getElementById('result').hidden = true; document.getElementById('error').hidden = true;"
             "document.getElementById('check-form').requestSubmit(); true")
    tab.wait_for("!document.getElementById('result').hidden || !document.getElementById('error').hidden")


def cli_json(capsys, path: Path) -> dict:
    main(["check", str(path), "--as-of", AS_OF, "--format", "json"])
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_upload_each_example_see_verdict_download_json(server, browser, tmp_path, capsys, path):
    tab = Tab(browser, server + "/", tmp_path)
    assert tab.eval("document.documentElement.lang") == "en"
    tab.choose_file(path)
    tab.eval(f"document.getElementById('as_of').value = '{AS_OF}'; true")
    submit(tab)
    assert tab.eval("document.getElementById('error').hidden"), tab.eval("document.getElementById('error').innerText")
    verdict = tab.eval("document.getElementById('verdict').innerText")
    expected = cli_json(capsys, path)
    # failing findings that count against the PDD (a severity 'info' failure, e.g. wind's pre-2021 CERs, does not)
    fails = sum(f["status"] == "fail" and f["severity"] != "info" for f in expected["findings"])
    if path.stem == "landfill_gas_fails_additionality":
        assert fails > 0 and verdict.startswith(f"fails {fails} requirement")
        assert tab.eval("document.getElementById('issuable-label').innerText") == "would be issuable once the failures are resolved"
    else:
        assert fails == 0 and verdict.startswith("no failing finding")
    issuable = tab.eval("document.getElementById('issuable').innerText")
    q = expected["quantities"]
    assert issuable == (f"{int(q['totals']['issuable']):,}" if q else "-")
    # the report is in the page (a sandboxed frame) and shows every automatic finding
    rows = tab.wait_for("(() => { const d = document.getElementById('report').contentDocument;"
                        " return d && d.querySelectorAll('tr.finding').length; })()")
    auto = [f for f in expected["findings"] if f["kind"] == "automatic" and f["status"] != "not_applicable"]
    assert rows == len(auto)
    # download the JSON as a user would (click the link) and compare with the CLI's
    tab.eval("document.getElementById('dl-json').click(); true")
    deadline = time.monotonic() + 30
    files = []
    while time.monotonic() < deadline:
        files = [p for p in tmp_path.glob("*.json")]
        if files and not list(tmp_path.glob("*.crdownload")):
            break
        time.sleep(0.1)
    assert [f.name for f in files] == ["pacm-report.json"]
    got = json.loads(files[0].read_text(encoding="utf-8"))
    assert got["pdd"].pop("source") == path.name
    expected["pdd"].pop("source")
    assert got == expected
    assert tab.problems() == []


def test_bad_file_shows_the_message(server, browser, tmp_path, capsys, monkeypatch):
    bad = tmp_path / "broken_pdd.yaml"
    bad.write_text("activity:\n  title: x\n  capacity_mw: [\n", encoding="utf-8")
    tab = Tab(browser, server + "/", tmp_path)
    tab.choose_file(bad)
    submit(tab)
    assert tab.eval("document.getElementById('result').hidden")
    shown = tab.eval("document.getElementById('error-detail').innerText")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "broken_pdd.yaml"]) == 2
    assert capsys.readouterr().err == f"pacm: error: {shown}\n"
    assert "[yaml-syntax]" in shown and "broken_pdd.yaml" in shown
    items = tab.eval("[...document.querySelectorAll('#error-list li')].map(li => li.innerText)")
    assert items and "[yaml-syntax]" in items[0]


def test_japanese_page_shows_the_japanese_verdict(server, browser, tmp_path):
    tab = Tab(browser, server + "/?lang=ja", tmp_path)
    assert tab.eval("document.documentElement.lang") == "ja"
    assert tab.eval("document.getElementById('lang').value") == "ja"
    tab.choose_file(ROOT / "examples" / "landfill_gas_fails_additionality.yaml")
    tab.eval(f"document.getElementById('as_of').value = '{AS_OF}'; true")
    submit(tab)
    # 4 failing requirements (IRR 14.2 % > 11.0 %, common practice F = 0.52, sensitivity, prior consideration)
    assert tab.eval("document.getElementById('verdict').innerText") == "要件 5 件を満たしていない"
    assert tab.wait_for("(() => { const d = document.getElementById('report').contentDocument;"
                        " return d && d.documentElement.lang; })()") == "ja"
    assert tab.problems() == []
