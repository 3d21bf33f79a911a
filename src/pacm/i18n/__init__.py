"""Interface and rule text in other languages (``--lang ja``).

Two catalogs, both plain YAML read with pacm's safe loader:

* ``src/pacm/i18n/<lang>.yaml``: interface text, gettext style: the English text is the key and
  the translation the value (``"Automatic checks": 自動チェック``). English needs no catalog.
  Text with ``{name}`` placeholders is filled with :meth:`str.format_map` on named values only.
* ``rules/i18n/<lang>.yaml``: per rule id, the translated ``title``, ``message`` (the failure
  message, with the same ``{field}``/``{params.name}`` placeholders as the rule) and, for a
  validator-judgement rule, ``confirm``. Kept apart from the rule files so translators and rule
  authors do not edit the same file; ``tests/test_i18n.py`` fails when a rule lacks a title or message.

Terms follow the Japanese government's Article 6 documents (the seed briefings): 6条4項メカニズム,
監督機関, 方法論, ベースライン, 追加性, リーケージ, 除去, クレジット期間, 指定運営機関 (DOE, the validator).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import PacmInputError, did_you_mean

LANGS = ("en", "ja")
HERE = Path(__file__).resolve().parent


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise PacmInputError.single("command line", "unknown-language", f"--lang {lang!r} is not available",
                                    expected="one of " + ", ".join(LANGS), hint=did_you_mean(lang, LANGS))


@lru_cache(maxsize=4)
def ui_catalog(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    from ..safeyaml import expect_mapping, load_file

    return {str(k): str(v) for k, v in expect_mapping(load_file(HERE / f"{lang}.yaml")).items()}


def rules_catalog_path(lang: str, rules_root: Path | None = None) -> Path:
    from ..rulepack import default_root

    return (rules_root or default_root()) / "i18n" / f"{lang}.yaml"


@lru_cache(maxsize=4)
def rules_catalog(lang: str) -> dict[str, dict]:
    if lang == "en":
        return {}
    from ..safeyaml import expect_mapping, load_file

    path = rules_catalog_path(lang)
    if not path.is_file():
        return {}
    return {str(k): dict(v or {}) for k, v in expect_mapping(load_file(path)).items()}


def placeholders(text: str) -> set[str]:
    from ..rulepack import PLACEHOLDER

    return {m.group(1) for m in PLACEHOLDER.finditer(text or "")}


def missing_translations(pack, catalog: dict[str, dict]) -> list[str]:
    """What the rule catalog lacks for ``pack``: one line per missing or mismatched entry.

    A rule needs a title; an automatic rule its failure ``message`` (and ``pass_message`` if it has
    one); a validator-judgement rule its ``confirm``; every translated text uses exactly the
    placeholders of the English one (a dropped ``{field}`` would hide a value from the reader)."""
    out = []
    for r in pack.rules:
        e = catalog.get(r.id)
        if not e:
            out.append(f"{r.id}: no entry")
            continue
        if not e.get("title"):
            out.append(f"{r.id}: no title")
        wanted = [("message", r.message), ("pass_message", getattr(r, "pass_message", None))] if r.kind == "automatic" \
            else [("confirm", r.confirm)]
        for key, english in wanted:
            if english and not e.get(key):
                out.append(f"{r.id}: no {key}")
            elif english and placeholders(e[key]) != placeholders(str(english)):
                out.append(f"{r.id}: {key} placeholders {sorted(placeholders(e[key]))} != {sorted(placeholders(str(english)))}")
    ids = {r.id for r in pack.rules}
    out += [f"{k}: not a rule of the pack" for k in catalog if k not in ids]
    return out


def t(text: str, lang: str = "en", **values: Any) -> str:
    """``text`` in ``lang`` (the English text when no translation exists), placeholders filled."""
    out = ui_catalog(lang).get(text, text) if lang != "en" else text
    return out.format_map(values) if values else out


#: How the issuable total is labelled: a PDD with a failing finding gets no claim of issuance (issue 10
#: item 5); the number stays visible, the claim does not.
ISSUABLE = "issuable A6.4ERs"
WOULD_BE_ISSUABLE = "would be issuable once the failures are resolved"


def issuable_label(failed: bool, lang: str = "en") -> str:
    """``issuable A6.4ERs``, or, for a PDD with a failing finding, ``would be issuable once ...``."""
    return t(WOULD_BE_ISSUABLE if failed else ISSUABLE, lang)


def translator(lang: str):
    return lambda text, **kw: t(text, lang, **kw)


STATUS_EN = {"fail": "fail", "insufficient_data": "insufficient data", "validator_judgement": "validator judgement",
             "pass": "pass", "not_applicable": "not applicable"}


def status_label(status: str, lang: str = "en") -> str:
    return t(STATUS_EN.get(status, status), lang)


def translate_verdict(verdict_en: str, summary: dict, lang: str) -> str:
    if lang == "en":
        return verdict_en
    fail, missing, judge = summary.get("fail", 0), summary.get("insufficient_data", 0), summary.get("validator_judgement", 0)
    if fail:
        return t("fails {n} requirement(s)", lang, n=fail)
    if missing:
        return t("no failing finding, but {n} rule(s) cannot be decided from the PDD", lang, n=missing)
    return t("no failing finding; {n} item(s) for the validator to confirm", lang, n=judge)


def localise_finding(f: dict, lang: str, env: dict | None = None, params: dict | None = None) -> dict:
    """A finding (its JSON form) with title and message in ``lang``; ids, codes and values unchanged.

    ``env`` (the PDD's facts) and ``params`` (the rule's parameter values, exact) fill the translated
    message template exactly as the English one was filled."""
    if lang == "en":
        return f
    from ..findings import render_template

    out = dict(f)
    entry = rules_catalog(lang).get(f["rule"], {})
    out["title"] = entry.get("title", f["title"])
    values = dict(env or {})
    if env is None:
        values.update(f.get("actual") or {})
    params = params if params is not None else (f.get("parameters") or {})
    status = f["status"]
    if status == "fail" and entry.get("message"):
        out["message"] = " ".join(render_template(entry["message"], values, params).split())
    elif status == "pass" and entry.get("pass_message") and not str(f.get("message", "")).startswith("Meets: "):
        out["message"] = " ".join(render_template(entry["pass_message"], values, params).split())
    elif status == "validator_judgement":
        confirm = " ".join(str(entry.get("confirm") or f.get("confirm") or "").split())
        msg = t("Validator to confirm: {what}", lang, what=confirm)
        if f.get("evidence"):
            msg += t(" (PDD addresses it in {where})", lang, where=", ".join(f["evidence"]))
        out["message"] = msg
        if entry.get("confirm"):
            out["confirm"] = confirm
    elif status == "insufficient_data" and f.get("why_not", "") and str(f["why_not"]).startswith("provide "):
        out["message"] = t("Cannot decide: the PDD does not give {fields}", lang, fields=str(f["why_not"])[8:])
    elif status == "pass" and str(f.get("message", "")).startswith("Meets: "):
        out["message"] = t("Meets: ", lang) + str(f["message"])[7:]
    elif status == "not_applicable":
        out["message"] = t("Not applicable to this activity on this date", lang)
    return out


def finding_env(result) -> dict:
    """The PDD's facts as the rule messages see them (for filling translated message templates)."""
    from ..hosts import context_for
    from ..pdd.fields import flatten

    pdd = result.pdd
    on = pdd.issuance.planned_issuance_date or result.as_of
    return flatten(pdd, context_for(pdd.activity.host_party, on, result.as_of))


def localised_findings(result, lang: str) -> list:
    """The result's Finding objects with title, message and confirm text in ``lang``."""
    import dataclasses

    if lang == "en":
        return list(result.findings)
    env = finding_env(result)
    out = []
    for f in result.findings:
        j = localise_finding(f.to_json(), lang, env, f.parameters)
        out.append(dataclasses.replace(f, title=j["title"], message=j["message"], confirm=j.get("confirm")))
    return out


def result_json(result, lang: str = "en") -> dict:
    """``result.to_json()`` with rule titles and messages in ``lang`` (the JSON contract otherwise unchanged)."""
    data = result.to_json()
    if lang == "en":
        return data
    data["findings"] = [f.to_json() for f in localised_findings(result, lang)]
    data["lang"] = lang
    return data


def page_text(lang: str) -> dict[str, str]:
    """The web page's placeholders ``{{KEY}}`` filled in ``lang`` (HTML-escaped)."""
    import html

    keys = {
        "LANG": lang,
        "TITLE": "pacm: check a PDD",
        "INTRO": "Upload a project design document (YAML, JSON or the pacm Excel template) or paste YAML. "
                 "Nothing is stored: the PDD is checked and forgotten.",
        "FILE": "PDD file",
        "PASTE": "or paste YAML",
        "ASOF": "Rules in force on",
        "PARAMS": "Parameter overrides (NAME=VALUE, one per line)",
        "LANGLABEL": "Report language",
        "SUBMIT": "Check",
        "VERDICT": "Verdict",
        "ISSUABLE": "Issuable A6.4ERs",
        "DOWNLOADS": "Downloads",
        "ERROR": "The PDD could not be checked",
        "API": "API documentation",
    }
    return {k: (v if k == "LANG" else html.escape(t(v, lang))) for k, v in keys.items()}
