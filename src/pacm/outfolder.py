"""An output folder written all or nothing, and interruption by a signal (issue 11).

``pacm transition --out`` and ``pacm sweep --out`` write many files. They go into a temporary
folder beside ``--out`` (``.NAME.pacm-tmp-XXXXXXXX``) that is renamed onto ``--out`` at the end, so
a failed or interrupted run leaves the previous output or nothing, never half a set. An existing
``--out`` is replaced only when it holds a previous output of the same command (its marker file);
any other non-empty folder is an input error.

SIGINT and SIGTERM: :func:`on_signals` turns either into :class:`Interrupted` (a
``KeyboardInterrupt``) in the main thread, so the ``except BaseException`` of
:class:`OutputFolder` removes the temporary folder and the command ends with exit 130 (SIGINT)
or 143 (SIGTERM) and one message. Further signals are ignored while the cleanup runs. SIGKILL
cannot be caught: it can leave a ``.NAME.pacm-tmp-*`` folder (or, killed in the instant between
two renames, ``.NAME.pacm-old-PID`` holding the previous output) beside ``--out``; both may be
deleted (see docs/bad-input.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterator

from .errors import PacmInputError

TMP_TAG = ".pacm-tmp-"
OLD_TAG = ".pacm-old-"


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM received; ``exit_code`` is 128 + the signal number (130, 143)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + int(signum)
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def on_signals() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise :class:`Interrupted` (main thread only: Python
    delivers signals there; elsewhere the block runs unchanged). The first signal switches both to
    ignored, so a second one cannot break the cleanup the first started."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        for s in _SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def interruptible(command: str) -> Iterator[None]:
    """:func:`on_signals` for a whole command: an :class:`Interrupted` (after the output folder's own
    cleanup has run) becomes one line on stderr and exit 130 or 143, not a traceback."""
    with on_signals():
        try:
            yield
        except Interrupted as exc:
            sys.stderr.write(f"pacm: interrupted by {exc.name}: `{command}` stopped; --out was left as it was and "
                             "no temporary folder remains\n")
            raise SystemExit(exc.exit_code) from None


def check_target(out: str | Path, marker: str, command: str) -> tuple[Path, Path]:
    """Refuse an ``--out`` that cannot be written or replaced, before any work starts."""
    target = Path(out)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise PacmInputError.single(str(out), "no-such-folder", f"folder {parent} does not exist")
    if target.exists():
        if not target.is_dir():
            raise PacmInputError.single(str(out), "not-a-folder", "--out must be a folder")
        if any(target.iterdir()) and not (target / marker).is_file():
            raise PacmInputError.single(str(out), "folder-not-empty",
                                        f"the folder exists and does not hold a previous `{command}` output",
                                        expected="a new or empty folder")
    return target, parent


def _publishable(folder: Path) -> None:
    """mkdtemp creates an owner-only folder; give the outputs the usual umask-based modes."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(folder, 0o777 & ~mask)
    for p in folder.iterdir():
        os.chmod(p, 0o666 & ~mask)


@contextlib.contextmanager
def output_folder(out: str | Path, marker: str, command: str) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; on success write the marker and rename it onto ``out``.

    On any exception (``Interrupted`` included) the temporary folder is removed and the previous
    output, if one was being replaced, is put back; the exception goes on.
    """
    target, parent = check_target(out, marker, command)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}{TMP_TAG}", dir=parent))
    old = None
    try:
        yield tmp
        (tmp / marker).write_text(f"{command} output, {dt.datetime.now(dt.timezone.utc).isoformat()}\n", encoding="utf-8")
        _publishable(tmp)
        if target.exists():
            old = parent / f".{target.name}{OLD_TAG}{os.getpid()}"
            os.replace(target, old)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not target.exists():
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
