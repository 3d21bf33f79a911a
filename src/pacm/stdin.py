"""``-`` as the PDD: read it from standard input (``cat pdd.yaml | pacm check -``).

The bytes are read with the same size limit as a file; YAML or JSON text goes through the same
parser and validation as a file (source ``<stdin>``), and an Excel workbook (a zip, ``PK`` magic)
is written to a private temporary file and read by the workbook reader.
"""

from __future__ import annotations

import os
import sys
import tempfile

from .errors import PacmInputError
from .safeyaml import MAX_BYTES, decode, loads_json, loads_yaml

SOURCE = "<stdin>"


def read_stdin_pdd(stream=None, max_bytes: int = MAX_BYTES):
    from .pdd.load import pdd_from_data

    stream = stream if stream is not None else sys.stdin.buffer
    if getattr(stream, "isatty", lambda: False)():
        raise PacmInputError.single(SOURCE, "stdin-is-a-terminal", "'-' reads the PDD from standard input, which is a terminal",
                                    expected="a PDD piped in, e.g. cat pdd.yaml | pacm check -")
    from .pdd.excel_read import MAX_FILE_BYTES

    raw = stream.read(max(max_bytes, MAX_FILE_BYTES) + 1)
    if raw[:4] == b"PK\x03\x04":
        with tempfile.TemporaryDirectory(prefix="pacm-stdin-") as folder:
            path = os.path.join(folder, "stdin.xlsx")
            with open(path, "wb") as fh:
                fh.write(raw)
            from .pdd.excel_read import read_pdd_workbook

            try:
                return read_pdd_workbook(path)
            except PacmInputError as exc:
                exc.source = SOURCE
                raise
    if len(raw) > max_bytes:
        raise PacmInputError.single(SOURCE, "file-too-large", f"the input is over the {max_bytes:,}-byte limit",
                                    expected=f"at most {max_bytes:,} bytes")
    text = decode(SOURCE, raw)
    doc = loads_json(text, SOURCE) if text.lstrip().startswith(("{", "[")) else loads_yaml(text, SOURCE)
    return pdd_from_data(doc.data, doc, SOURCE)
