"""Regenerate the README screenshots of the HTML report (needs the Debian ``chromium`` package).

    .venv/bin/python docs/img/screenshots.py

Renders ``examples/wind_farm_india.yaml`` as of 2026-11-01 and captures, in headless Chromium,
the top of the report (docs/img/report.png) and the credited-quantities section with its charts
(docs/img/report-quantities.png). Uses the small CDP driver of the browser tests.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _driver():
    spec = importlib.util.spec_from_file_location("pacm_browser", ROOT / "tests" / "test_browser_report.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    from pacm.engine import Engine
    from pacm.pdd.load import load_pdd
    from pacm.report.html import render_html

    drv = _driver()
    pdd = ROOT / "examples" / "wind_farm_india.yaml"
    result = Engine().check(load_pdd(pdd), dt.date(2026, 11, 1), source="examples/wind_farm_india.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(render_html(result), encoding="utf-8")
        with drv.Browser() as b:
            page = b.load(html)
            if page.problems():
                print("console problems:", page.problems(), file=sys.stderr)
                return 1
            b.send("Emulation.setDeviceMetricsOverride",
                   {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session=page.session)
            shots = {
                "report.png": {"x": 0, "y": 0, "width": 1280, "height": 1500},
                "report-quantities.png": page.eval(
                    "(() => { const r = document.getElementById('quantities').getBoundingClientRect();"
                    " return {x: 0, y: r.top + window.scrollY - 8, width: 1280, height: Math.min(r.height + 16, 1400)}; })()"
                ),
            }
            for name, clip in shots.items():
                data = b.send("Page.captureScreenshot",
                              {"format": "png", "clip": {**clip, "scale": 1}, "captureBeyondViewport": True},
                              session=page.session)["data"]
                (Path(__file__).parent / name).write_bytes(base64.b64decode(data))
                print(f"wrote docs/img/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
