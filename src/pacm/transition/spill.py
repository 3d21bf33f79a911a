"""The evaluated chunks of a batch run, parked on disk until the whole file has been seen.

Why: what a row's outputs say depends on one fact about the whole file, the rules it "cannot
show" (never decided on any row, reading a field no row has: :mod:`pacm.transition.run`). Holding
every chunk's results until the last one made peak memory grow with the rows (1.4 GB at 100,000
rows), so each chunk is written here as it is evaluated and read back, one at a time, once that
fact is known.

Nothing here is pickled: the activities go as JSON lines whose dates, decimals and crediting
periods are tagged objects (``{"$d": "2021-01-01"}``, ``{"$D": "12.5"}``, ``{"$cp": [...]}``) read
back as the same Python values (an activity's values are scalars: JSON would turn a tuple into a
list); the findings as an Arrow IPC stream (one record batch a chunk).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from .rows import CP

FINDING_COLUMNS = ("row", "reference", "rule", "status", "severity", "fields", "message")


def _default(o: Any) -> Any:
    if isinstance(o, dt.datetime):
        return {"$dt": o.isoformat()}
    if isinstance(o, dt.date):
        return {"$d": o.isoformat()}
    if isinstance(o, Decimal):
        return {"$D": str(o)}
    if isinstance(o, CP):
        return {"$cp": [o.number, o.start, o.end, o.annual_er, o.years]}
    if hasattr(o, "item"):  # a numpy scalar
        return o.item()
    raise TypeError(f"cannot spill a {type(o).__name__}")


def _hook(d: dict) -> Any:
    if len(d) == 1:
        k, v = next(iter(d.items()))
        if k == "$d":
            return dt.date.fromisoformat(v)
        if k == "$D":
            return Decimal(v)
        if k == "$dt":
            return dt.datetime.fromisoformat(v)
        if k == "$cp":
            return CP(*v)
    return d


class Spill:
    """Chunks written in order (:meth:`put`), then read back in the same order (:meth:`chunks`)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.rows_path = self.folder / "activities.jsonl"
        self.findings_path = self.folder / "findings.arrow"
        self._rows = self.rows_path.open("w", encoding="utf-8")
        self._writer = None
        self.n = 0

    def put(self, record: dict, findings: list[tuple]) -> None:
        """One chunk: ``record`` (activities and what pass 2 needs of them, JSON with the tags above)
        and its finding tuples (:data:`FINDING_COLUMNS`)."""
        import pyarrow as pa
        import pyarrow.ipc as ipc

        self._rows.write(json.dumps(record, default=_default, ensure_ascii=False, allow_nan=True))
        self._rows.write("\n")
        cols = list(zip(*findings)) if findings else [()] * len(FINDING_COLUMNS)
        batch = pa.record_batch([pa.array(cols[0], pa.int64())] + [pa.array(c, pa.string()) for c in cols[1:]],
                                names=list(FINDING_COLUMNS))
        if self._writer is None:
            self._writer = ipc.new_stream(str(self.findings_path), batch.schema)
        self._writer.write_batch(batch)
        self.n += 1

    def close(self) -> None:
        if self._rows is not None:
            self._rows.close()
            self._rows = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def chunks(self) -> Iterator[tuple[dict, Any]]:
        """(record, findings as a pandas DataFrame) per chunk, in the order they were put."""
        import pyarrow as pa
        import pyarrow.ipc as ipc

        self.close()
        if not self.n:
            return
        # read, not memory-mapped: mapped pages once read would count in the process's resident memory
        with self.rows_path.open(encoding="utf-8") as rows, pa.OSFile(str(self.findings_path)) as src:
            reader = ipc.open_stream(src)
            for line, batch in zip(rows, reader):
                yield json.loads(line, object_hook=_hook), batch.to_pandas()
