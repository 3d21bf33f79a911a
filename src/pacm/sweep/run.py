"""Running the scenarios of a sweep: one evaluation of the population, then one task per scenario.

Why this split: in a CDM transition export the expensive part is reading the file, validating
every row as a PDD and evaluating the rules (seconds); the crediting pipeline over the eligible
activity-years is cheap. A scenario that changes only crediting parameters
(:data:`pacm.quantities.pipeline.PARAM_NAMES`: downward adjustment, share of proceeds, OMGE,
rounding, day count) reuses the base evaluation and re-runs only
:func:`pacm.transition.run.credits_for`. A scenario that changes any other parameter (a transition
date, a crediting-period maximum...) can change eligibility, so its task re-runs the whole
:func:`pacm.transition.run.run` on the rows read once. Either way the numbers come from the same
code as ``pacm transition``: the base scenario's figures *are* that command's figures.

Backends (results are identical: the same task function on the same inputs):

* ``workers == 1``: in this process, no Dask;
* ``workers > 1``: a ``dask.distributed.LocalCluster`` of that many single-threaded worker
  processes on 127.0.0.1, started and stopped by the sweep (nothing to set up);
* ``scheduler``: an existing Dask cluster (``tcp://host:8786``); its workers need pacm installed.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..errors import PacmInputError
from .scenarios import Scenario, printable

#: columns of the per activity-year table, in order; integers are whole A6.4ERs
YEAR_COLUMNS = ("scenario", "row", "activity", "year", "days", "da_applies", "daf", "gross_units", "buffer",
                "sop_adaptation", "omge", "deductions", "issuable", "n_pass", "n_fail", "n_insufficient_data",
                "n_validator_judgement")
COUNT_COLUMNS = ("n_pass", "n_fail", "n_insufficient_data", "n_validator_judgement", "n_not_applicable")
ACTIVITY_COLUMNS = ("scenario", "row", "activity", "transition_eligible", "valid_pdd") + COUNT_COLUMNS + ("issuable",)
SUMMARY_COLUMNS = ("scenario", "overrides", "rerun", "activities", "eligible", "activity_years", "gross_units",
                   "buffer", "sop_adaptation", "omge", "issuable", "error")


@dataclass
class Base:
    """What every scenario task needs; sent once to each worker."""

    source: str
    as_of: dt.date
    engine: Any  # pacm.engine.Engine, without overrides
    mapping: Any
    table: Any  # pacm.transition.read.Table: the rows, read once
    credit_inputs: list  # RunResult.credit_inputs of the base evaluation
    activities: Any  # pandas.DataFrame: row, activity, transition_eligible, valid_pdd, n_* of the base evaluation
    pdds: list | None = None  # a folder of PDDs instead of an export: (file name, PDD or None, load error)


@dataclass
class ScenarioResult:
    index: int
    name: str
    years: Any  # pandas.DataFrame (YEAR_COLUMNS)
    activities: Any  # pandas.DataFrame (ACTIVITY_COLUMNS)
    summary: dict
    notes: list = field(default_factory=list)
    seconds: float = 0.0


def credit_only(sc: Scenario) -> bool:
    from ..quantities.pipeline import PARAM_NAMES

    return set(sc.overrides) <= set(PARAM_NAMES)


def prepare(source: str, as_of: dt.date, engine, mapping=None, table=None) -> Base:
    """Read the export and evaluate it once with the pack's own parameters (the base case)."""
    from ..transition.mapping import load_mapping
    from ..transition.read import read_table
    from ..transition.run import run

    mapping = mapping or load_mapping()
    if table is None:
        table = read_table(source, mapping)
    res = run(source, as_of, engine, mapping, table=table, keep_credit_inputs=True)
    return Base(source=str(source), as_of=as_of, engine=engine, mapping=mapping, table=table,
                credit_inputs=res.credit_inputs, activities=_activity_frame(res.activities))


PDD_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


def prepare_folder(folder: str, as_of: dt.date, engine) -> Base:
    """Load every PDD file of ``folder`` (not its sub-folders) once. A file that is not a valid PDD
    becomes an activity with ``valid_pdd`` false and its error, never the end of the sweep."""
    import pandas as pd

    from ..pdd.load import load_pdd

    files = sorted(p for p in __import__("pathlib").Path(folder).iterdir() if p.is_file() and p.suffix.lower() in PDD_SUFFIXES)
    if not files:
        raise PacmInputError.single(str(folder), "no-pdds", "the folder holds no PDD file",
                                    expected="files ending " + ", ".join(PDD_SUFFIXES))
    pdds = []
    for f in files:
        try:
            pdds.append((f.name, load_pdd(f), None))
        except PacmInputError as exc:
            pdds.append((f.name, None, exc.render()))
    acts = pd.DataFrame({"row": range(len(pdds)), "activity": [x[0] for x in pdds], "transition_eligible": None,
                         "valid_pdd": [x[1] is not None for x in pdds], **{c: 0 for c in COUNT_COLUMNS}})
    return Base(source=str(folder), as_of=as_of, engine=engine, mapping=None, table=None, credit_inputs=[],
                activities=acts, pdds=pdds)


def _check_folder(base: Base) -> tuple[Any, Any, list[str]]:
    """Every PDD of the folder through ``Engine.check`` (vector evaluator, crediting table) with the
    parameters as they are now; ``transition_eligible`` here means "no failing finding"."""
    import pandas as pd

    frames, notes = [], []
    acts = base.activities.copy()
    for i, (name, pdd, err) in enumerate(base.pdds):
        if pdd is None:
            notes.append(f"{name}: {err}")
            continue
        try:
            r = base.engine.check(pdd, base.as_of, evaluator="vector", source=name, quantities=True)
        except PacmInputError as exc:  # e.g. a quantification input the methodology refuses
            notes.append(f"{name}: {exc.render()}")
            acts.loc[i, "valid_pdd"] = False
            continue
        c = r.counts()
        for k in COUNT_COLUMNS:
            acts.loc[i, k] = c.get(k[2:], 0)
        acts.loc[i, "transition_eligible"] = c.get("fail", 0) == 0
        q = r.quantities
        if q is not None and q.table is not None and len(q.table):
            frames.append(q.table.assign(_row=i, activity=name))
    years = pd.concat(frames, ignore_index=True) if frames else None
    return years, acts, notes


def _activity_frame(acts):
    a = acts[["row", "reference", "transition_eligible", "valid_pdd", *COUNT_COLUMNS]].rename(columns={"reference": "activity"})
    a = a.copy()
    a["row"] = a["row"] - 2  # back to the 0-based row index the credit rows carry (_row)
    return a


def run_scenario(base: Base, sc: Scenario, index: int = 0) -> ScenarioResult:
    """One scenario: the task every backend runs. Never raises for a scenario the pipeline refuses:
    the error goes into the summary row and the sweep goes on."""
    from ..transition.run import credits_for, run

    t0 = time.perf_counter()
    ps = base.engine.pack.params
    saved = (dict(ps.overrides), dict(ps.override_sources))
    rerun = not credit_only(sc)
    notes: list[str] = []
    error = None
    years = activities = None
    try:
        for k, v in sc.overrides.items():
            ps.override(k, v, f"scenario {sc.name}")
        if base.pdds is not None:
            years, activities, notes = _check_folder(base)
        elif rerun:
            res = run(base.source, base.as_of, base.engine, base.mapping, table=base.table)
            years, notes = res.years, list(res.notes)
            activities = _activity_frame(res.activities)
        else:
            years, notes = credits_for(base.credit_inputs, base.engine, base.as_of)
            activities = base.activities
    except (PacmInputError, ValueError, ArithmeticError) as exc:
        error = printable(f"{type(exc).__name__}: {exc}")
    finally:
        ps.overrides, ps.override_sources = saved
    y, a = _tidy(sc.name, years, activities)
    summary = {
        "scenario": sc.name, "overrides": sc.label(), "rerun": rerun,
        "activities": 0 if a is None else len(a),
        "eligible": 0 if a is None else int((a["transition_eligible"] == True).sum()),  # noqa: E712
        "activity_years": len(y),
        **{c: int(y[c].sum()) for c in ("gross_units", "buffer", "sop_adaptation", "omge", "issuable")},
        "error": error,
    }
    return ScenarioResult(index, sc.name, y, a, summary, notes, time.perf_counter() - t0)


def _tidy(name: str, years, activities):
    """Compact typed frames (int64, bool, text): cheap to send back from a worker and to write."""
    import pandas as pd

    if years is None or not len(years) or "gross_units" not in years.columns:
        y = pd.DataFrame({c: pd.Series([], dtype=_dtype(c)) for c in YEAR_COLUMNS})
    else:
        y = pd.DataFrame({
            "scenario": name,
            "row": years["_row"].astype("int64"),
            "activity": years["activity"].astype(str),
            "year": years["year"].astype("int64"),
            "days": years["days"].astype("int64"),
            "da_applies": years["da_applies"].astype(bool),
            "daf": [format(v, "f") for v in years["daf"]],  # exact decimal text
            **{c: years[c].astype("int64") for c in ("gross_units", "buffer", "sop_adaptation", "omge")},
        })
        y["deductions"] = y["buffer"] + y["sop_adaptation"] + y["omge"]
        y["issuable"] = years["issuable"].astype("int64").to_numpy()
        if activities is not None:
            cnt = activities.set_index("row")[["n_pass", "n_fail", "n_insufficient_data", "n_validator_judgement"]]
            y = y.join(cnt.astype("int64"), on="row")
        y = y[list(YEAR_COLUMNS)].reset_index(drop=True)
    if activities is None:
        return y, None
    a = activities.copy()
    a.insert(0, "scenario", name)
    by = y.groupby("row")["issuable"].sum() if len(y) else pd.Series(dtype="int64")
    a["issuable"] = a["row"].map(by).astype("Int64")
    a["transition_eligible"] = a["transition_eligible"].astype("boolean")
    a["valid_pdd"] = a["valid_pdd"].astype(bool)
    for c in COUNT_COLUMNS:
        a[c] = a[c].astype("int64")
    return y, a[list(ACTIVITY_COLUMNS)].reset_index(drop=True)


def _dtype(c: str) -> str:
    if c in ("scenario", "activity", "daf"):
        return "object"
    if c == "da_applies":
        return "bool"
    return "int64"


# ------------------------------------------------------------------------------------ backends
def _dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise PacmInputError.single(
            "command line", "missing-dependency", "--workers > 1 and --scheduler need dask.distributed, which is not installed",
            expected="pip install 'pacm[sweep]' (or --workers 1: in this process, no Dask)",
        ) from None
    import distributed

    return distributed


def connect(scheduler: str):
    """A client of the Dask scheduler at ``scheduler``; exit 2 when it cannot be reached."""
    distributed = _dask()
    try:
        return distributed.Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise PacmInputError.single("command line", "no-scheduler", f"cannot reach the Dask scheduler {scheduler!r}: {exc}",
                                    expected="the address of a running scheduler, e.g. tcp://10.0.0.5:8786") from None


def execute(base: Base, scenarios: list[Scenario], workers: int = 1, scheduler: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> Iterator[ScenarioResult]:
    """Yield every scenario's result, in the order of ``scenarios`` whatever order they finish in."""
    n = len(scenarios)
    if scheduler is None and workers <= 1:
        for i, sc in enumerate(scenarios):
            yield run_scenario(base, sc, i)
            if progress:
                progress(i + 1, n)
        return
    distributed = _dask()
    cluster = None
    if scheduler is None:
        import logging

        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
    else:
        client = connect(scheduler)
    try:
        yield from _on_client(distributed, client, base, scenarios, progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _on_client(distributed, client, base: Base, scenarios: list[Scenario], progress) -> Iterator[ScenarioResult]:
    n = len(scenarios)
    remote_base = client.scatter(base, broadcast=True)
    futs = [client.submit(run_scenario, remote_base, sc, i, pure=False, key=f"pacm-sweep-{i}-{time.time_ns()}")
            for i, sc in enumerate(scenarios)]
    pending: dict[int, ScenarioResult] = {}
    nxt = done = 0
    for fut in distributed.as_completed(futs):
        r = fut.result()
        fut.release()
        pending[r.index] = r
        done += 1
        if progress:
            progress(done, n)
        while nxt in pending:  # hand results on in scenario order: the output does not depend on timing
            yield pending.pop(nxt)
            nxt += 1
