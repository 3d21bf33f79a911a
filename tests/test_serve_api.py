"""``pacm serve``'s HTTP API through FastAPI's TestClient: the same JSON and the same errors as the CLI.

Expected values come from the CLI run on the same file (the contract is "the same JSON as
``pacm check --format json``") and, for verdicts, from the example PDDs' own figures: the landfill
example's IRR without credits is 14.2 % against an 11.0 % benchmark, and 13 of 25 comparable plants
use the technology (F = 1 - 12/25 = 0.52 > 0.2), so both additionality rules must fail.
"""

from __future__ import annotations

import glob
import io
import json
import os
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="pacm[serve] is not installed")
from fastapi.testclient import TestClient  # noqa: E402

from pacm.cli import main  # noqa: E402
from pacm.serve.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
AS_OF = "2026-11-01"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=2)) as c:
        yield c


def upload(client, path: Path, name: str | None = None, **form):
    data = {"as_of": AS_OF, **form}
    return client.post("/api/check", files={"pdd": (name or path.name, path.read_bytes())}, data=data)


def cli_json(capsys, path: Path, *extra) -> tuple[int, dict]:
    code = main(["check", str(path), "--as-of", AS_OF, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def cli_error(capsys, monkeypatch, folder: Path, name: str, *extra) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    code = main(["check", name, "--as-of", AS_OF, *extra])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", ["wind_farm_india", "cookstoves_malawi", "landfill_gas_fails_additionality", "reforestation_removal"])
def test_check_answers_the_cli_json(client, capsys, name):
    path = EX / f"{name}.yaml"
    r = upload(client, path)
    assert r.status_code == 200, r.text
    code, expected = cli_json(capsys, path)
    got = r.json()
    assert got["pdd"].pop("source") == path.name
    expected["pdd"].pop("source")
    assert got == expected
    assert r.headers["Pacm-Exit-Code"] == str(code)


def test_failing_example_fails_the_additionality_rules(client):
    r = upload(client, EX / "landfill_gas_fails_additionality.yaml")
    fails = {f["rule"] for f in r.json()["findings"] if f["status"] == "fail"}
    assert {"additionality.investment_benchmark", "additionality.common_practice"} <= fails
    assert r.headers["Pacm-Exit-Code"] == "1"


def test_pasted_yaml_is_checked_like_a_file(client):
    text = (EX / "cookstoves_malawi.yaml").read_text(encoding="utf-8")
    r = client.post("/api/check", data={"text": text, "as_of": AS_OF})
    assert r.status_code == 200 and r.json()["pdd"]["source"] == "pasted.yaml"
    assert r.json()["summary"] == upload(client, EX / "cookstoves_malawi.yaml").json()["summary"]


def test_bad_yaml_is_a_problem_detail_with_the_cli_message(client, capsys, monkeypatch, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("activity: [\n  title: x\n", encoding="utf-8")
    r = upload(client, bad)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    code, err = cli_error(capsys, monkeypatch, tmp_path, "broken.yaml")
    assert code == 2
    assert err == f"pacm: error: {p['detail']}\n"  # the very same line, file named as uploaded
    assert p["code"] == "yaml-syntax" and p["type"] == "urn:pacm:error:yaml-syntax" and p["status"] == 400
    assert p["errors"][0]["code"] == "yaml-syntax" and "tmp" not in p["detail"].replace(str(tmp_path), "")


def test_invalid_pdd_lists_every_problem_like_the_cli(client, capsys, monkeypatch, tmp_path):
    text = (EX / "wind_farm_india.yaml").read_text(encoding="utf-8").replace("capacity_mw: 50.4", "capacity_mw: lots", 1)
    text = text.replace("title:", "titel:", 1)
    bad = tmp_path / "wind_typos.yaml"
    bad.write_text(text, encoding="utf-8")
    r = upload(client, bad)
    p = r.json()
    code, err = cli_error(capsys, monkeypatch, tmp_path, "wind_typos.yaml")
    assert code == 2 and r.status_code == 400
    assert err == f"pacm: error: {p['detail']}\n"
    codes = {e["code"] for e in p["errors"]}
    assert "unknown-key" in codes and len(p["errors"]) >= 2
    assert any("did you mean 'title'" in (e["hint"] or "") for e in p["errors"])


@pytest.mark.parametrize("form, code, status", [
    ({"as_of": "01/11/2026"}, "bad-date", 400),
    ({"as_of": "2026-02-30"}, "impossible-date", 400),
    ({"params": "no equals sign"}, "bad-usage", 400),
    ({"params": "crediting_period.nope=5"}, "unknown-parameter", 400),
    ({"lang": "xx"}, "unknown-language", 400),
])
def test_bad_form_fields_are_problems(client, form, code, status):
    r = upload(client, EX / "wind_farm_india.yaml", **form)
    assert r.status_code == status and r.json()["code"] == code, r.text


def test_no_pdd_and_unsupported_type(client):
    r = client.post("/api/check", data={"as_of": AS_OF})
    assert r.status_code == 400 and r.json()["code"] == "no-pdd"
    r = client.post("/api/check", files={"pdd": ("notes.txt", b"hello")})
    assert r.status_code == 415 and r.json()["code"] == "unsupported-file-type"
    assert "notes.txt" in r.json()["detail"]


def test_parameter_override_is_listed_like_the_cli(client, capsys):
    r = upload(client, EX / "wind_farm_india.yaml", params="crediting_period.er_renewable_max_years=4")
    assert r.status_code == 200, r.text
    code, cli = cli_json(capsys, EX / "wind_farm_india.yaml", "--param", "crediting_period.er_renewable_max_years=4")
    assert r.json()["engine"]["parameter_overrides"] == cli["engine"]["parameter_overrides"]
    assert list(cli["engine"]["parameter_overrides"]) == ["crediting_period.er_renewable_max_years"]
    plain = upload(client, EX / "wind_farm_india.yaml").json()
    assert plain["engine"].get("parameter_overrides") in (None, {})


def test_formats_html_markdown_xlsx(client):
    from openpyxl import load_workbook

    path = EX / "landfill_gas_fails_additionality.yaml"
    h = client.post("/api/check?format=html", files={"pdd": (path.name, path.read_bytes())}, data={"as_of": AS_OF})
    assert h.status_code == 200 and h.headers["content-type"].startswith("text/html") and "<html" in h.text
    m = client.post("/api/check?format=markdown", files={"pdd": (path.name, path.read_bytes())}, data={"as_of": AS_OF})
    assert m.text.startswith("# ") and "additionality.investment_benchmark" in m.text
    x = client.post("/api/check?format=xlsx", files={"pdd": (path.name, path.read_bytes())}, data={"as_of": AS_OF})
    wb = load_workbook(io.BytesIO(x.content), read_only=True)
    doc = upload(client, path).json()
    findings = list(wb["findings"].iter_rows(values_only=True))
    assert findings[0][:2] == ("rule", "status") and len(findings) - 1 == len(doc["findings"])
    assert len(list(wb["quantities"].iter_rows())) - 1 == len(doc["quantities"]["years"])
    bad = client.post("/api/check?format=pdf", files={"pdd": (path.name, path.read_bytes())})
    assert bad.status_code == 400 and bad.json()["code"] == "bad-usage"


def test_report_endpoint_gives_the_page_its_verdict(client):
    path = EX / "landfill_gas_fails_additionality.yaml"
    r = client.post("/api/report", files={"pdd": (path.name, path.read_bytes())}, data={"as_of": AS_OF})
    body = r.json()
    assert body["exit_code"] == 1 and body["verdict"].startswith("fails 5 requirements")
    assert body["issuable"] == int(body["json"]["quantities"]["totals"]["issuable"])
    assert body["html"].lstrip().startswith("<!DOCTYPE html>") and body["markdown"].startswith("# ")


def test_rules_schema_explain_methodologies_match_the_cli(client, capsys):
    assert main(["rules", "--format", "json"]) == 0
    assert client.get("/api/rules").json() == json.loads(capsys.readouterr().out)
    assert main(["rules", "--format", "json", "--area", "leakage"]) == 0
    assert client.get("/api/rules", params={"area": "leakage"}).json() == json.loads(capsys.readouterr().out)
    r = client.get("/api/rules", params={"area": "leakag"})
    assert r.status_code == 400 and r.json()["code"] == "unknown-area" and "did you mean 'leakage'" in r.json()["detail"]
    assert main(["schema"]) == 0
    assert client.get("/api/schema").json() == json.loads(capsys.readouterr().out)
    e = client.get("/api/rules/crediting_period.max_length_renewable", params={"as_of": AS_OF}).json()
    assert e["id"] == "crediting_period.max_length_renewable" and e["kind"] == "automatic" and e["require"]
    assert all({"name", "value", "confidence"} <= set(p) for p in e["parameters"]) and e["parameters"]
    r = client.get("/api/rules/additionality.investment_benchmrk")
    assert r.status_code == 404 and r.json()["code"] == "unknown-rule"
    ms = client.get("/api/methodologies").json()
    assert sorted(m["id"] for m in ms) == sorted(p.name for p in (ROOT / "methodologies").iterdir()
                                                  if (p / "methodology.yaml").is_file())


def test_openapi_documents_the_check_endpoint(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/check"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    ref = body["$ref"].split("/")[-1] if "$ref" in body else None
    props = spec["components"]["schemas"][ref]["properties"] if ref else body["properties"]
    assert {"pdd", "as_of", "params", "text"} <= set(props)
    assert client.get("/docs").status_code == 200
    assert client.get("/nowhere").json()["code"] == "not-found"


def test_page_is_served_with_a_strict_policy(client):
    r = client.get("/")
    assert r.status_code == 200 and 'id="check-form"' in r.text and "{{" not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../app.py").status_code == 404


def test_upload_size_limit_one_byte_either_side():
    limit = 4096
    with TestClient(create_app(workers=1, max_upload=limit)) as c:
        inside = c.post("/api/check", content=b"x" * limit, headers={"content-type": "application/octet-stream"})
        assert inside.status_code != 413  # read whole (then refused as not a form)
        over = c.post("/api/check", content=b"x" * (limit + 1), headers={"content-type": "application/octet-stream"})
        assert over.status_code == 413 and over.json()["code"] == "upload-too-large"

        def chunks():  # no Content-Length: counted as it streams
            for _ in range(3):
                yield b"x" * 2048

        streamed = c.post("/api/check", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
        assert streamed.status_code == 413 and streamed.json()["code"] == "upload-too-large"


def test_time_limit_stops_the_check_and_the_service_recovers():
    path = EX / "wind_farm_india.yaml"
    with TestClient(create_app(workers=1, timeout=0.001)) as c:  # no check takes 1 ms (spawning a worker alone takes longer)
        r = c.post("/api/check", files={"pdd": (path.name, path.read_bytes())})
        assert r.status_code == 504 and r.json()["code"] == "check-timeout"
        app = c.app
        while not hasattr(app, "state"):
            app = app.app
        app.state.checker.timeout = 60
        r = c.post("/api/check", files={"pdd": (path.name, path.read_bytes())}, data={"as_of": AS_OF})
        assert r.status_code == 200 and r.headers["Pacm-Exit-Code"] == "0"  # wind: no failing finding counted against it


def test_nothing_uploaded_is_kept(client):
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "pacm-serve-*")))
    upload(client, EX / "wind_farm_india.yaml")
    upload(client, EX / "wind_farm_india.yaml", name="w.txt")
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "pacm-serve-*"))) <= before


def test_japanese_page_and_report(client):
    page = client.get("/?lang=ja")
    assert page.status_code == 200 and '<html lang="ja">' in page.text and "確認する" in page.text
    path = EX / "landfill_gas_fails_additionality.yaml"
    r = client.post("/api/report", files={"pdd": (path.name, path.read_bytes())}, data={"as_of": AS_OF, "lang": "ja"})
    body = r.json()
    assert body["verdict"] == "要件 5 件を満たしていない" and body["json"]["lang"] == "ja"
    assert '<html lang="ja">' in body["html"] and "## 自動チェック" in body["markdown"]
    assert client.get("/?lang=xx").json()["code"] == "unknown-language"


def test_excel_workbook_upload_is_checked_like_the_cli(client, capsys, tmp_path):
    import yaml

    from pacm.pdd.excel_template import workbook_bytes

    book = tmp_path / "wind.xlsx"
    book.write_bytes(workbook_bytes(yaml.safe_load((EX / "wind_farm_india.yaml").read_text(encoding="utf-8"))))
    r = upload(client, book)
    assert r.status_code == 200, r.text
    _, expected = cli_json(capsys, book)
    assert r.json()["findings"] == expected["findings"] and r.json()["quantities"] == expected["quantities"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    p = upload(client, broken).json()
    assert p["status"] == 400 and p["source"] == "broken.xlsx" and "pacm-serve-" not in p["detail"]
