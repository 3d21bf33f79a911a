"""How fast bad input is refused (issue 2: a 17 MB file must be refused in well under a second).

Run: ``.venv/bin/python benchmarks/bench_bad_input.py``. Prints the in-process time to refuse a
17 MB PDD (one ``stat``, the file is never opened) and an alias bomb, and the cold wall time of
``pacm check`` on the 17 MB file (mostly interpreter start-up).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from pacm.cli import main as cli
    from pacm.errors import PacmInputError
    from pacm.safeyaml import load_file

    with tempfile.TemporaryDirectory() as d:
        big = Path(d) / "big.yaml"
        with open(big, "w") as fh:
            fh.write("activity:\n  title: x\n")
            fh.write("# padding\n" * (17 * 1024 * 1024 // 10 + 1))
        bomb = Path(d) / "bomb.yaml"
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for i, name in enumerate("bcdefghi"):
            prev = "abcdefghi"[i]
            lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        bomb.write_text("\n".join(lines) + "\n")
        for label, path in (("17 MB file", big), ("alias bomb", bomb)):
            times = []
            for _ in range(50):
                t0 = time.perf_counter()
                try:
                    load_file(path)
                except PacmInputError:
                    pass
                times.append(time.perf_counter() - t0)
            print(f"refuse {label} in process: median {statistics.median(times) * 1e3:.3f} ms")
        t0 = time.perf_counter()
        cli(["check", str(big)])
        print(f"refuse 17 MB file through pacm.cli.main: {(time.perf_counter() - t0) * 1e3:.1f} ms")
        exe = ROOT / ".venv" / "bin" / "pacm"
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([str(exe), "check", str(big)], capture_output=True)
            times.append(time.perf_counter() - t0)
        print(f"cold `pacm check` on the 17 MB file: median {statistics.median(times):.3f} s")


if __name__ == "__main__":
    sys.exit(main())
