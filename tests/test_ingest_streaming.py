"""Tables are streamed: a CSV or JSONL file several times larger than the memory a process may use is read
row by row to the end (the process runs under a real address-space limit), a Parquet file is read batch
by batch, and the streaming decoder gives what whole-file decoding gave."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.ingest import readers as ingest
from tests.conftest import ROOT

FILE_MB = 96  # the generated table
CAP_MB = 48  # address space the reading process may add on top of what it uses before reading
ROW_CHARS = 20_000


def big_table(path: Path, kind: str) -> int:
    """A table of FILE_MB of distinct articles; returns its rows."""
    rows = FILE_MB * 1_000_000 // ROW_CHARS
    with path.open("w", encoding="utf-8", newline="") as fh:
        if kind == "csv":
            fh.write("text,source\n")
        for i in range(rows):
            body = f"Row {i}: " + ("shelling hit the town of Douma " * (ROW_CHARS // 31))
            fh.write(f'"{body}",SANA\n' if kind == "csv" else json.dumps({"text": body, "source": "SANA"}) + "\n")
    return rows


READ_UNDER_CAP = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from pipeline.ingest import readers
    def vm_bytes():
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmSize:"))
    cap = vm_bytes() + int(sys.argv[2]) * 1_000_000
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    docs = rejects = 0
    for item in readers.read_file(Path(sys.argv[1]), readers.ColumnMapping(), {}, 1):
        if isinstance(item, readers.RawDoc):
            docs += 1
        else:
            rejects += 1
    print(docs, rejects)
""")


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_ingest_streaming_table_larger_than_the_memory_cap(tmp_path, kind):
    path = tmp_path / f"big.{kind}"
    rows = big_table(path, kind)
    assert path.stat().st_size > 1.9 * CAP_MB * 1e6
    proc = subprocess.run([sys.executable, "-c", READ_UNDER_CAP, str(path), str(CAP_MB)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == [str(rows), "0"]


def test_ingest_streaming_cap_is_real(tmp_path):
    """The same cap stops a process that holds the whole file (so the test above can fail)."""
    path = tmp_path / "big.csv"
    big_table(path, "csv")
    whole = READ_UNDER_CAP.replace("for item in readers.read_file(", "data = Path(sys.argv[1]).read_text()\nfor item in readers.read_file(")
    proc = subprocess.run([sys.executable, "-c", whole, str(path), str(CAP_MB)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0 and "MemoryError" in proc.stderr


def test_ingest_streaming_parquet_rows_in_order(tmp_path):
    texts = [f"Row {i}: shelling hit the town of Douma. " * 5 for i in range(3000)]
    pq.write_table(pa.table({"text": texts, "source": ["SANA"] * 3000}), tmp_path / "t.parquet", row_group_size=500)
    docs = list(ingest.read_file(tmp_path / "t.parquet", ingest.ColumnMapping(), {}, 1))
    assert [d.body for d in docs] == [t.strip() for t in texts] and docs[-1].where.endswith("#row=3000")


@pytest.mark.parametrize(
    "tail, expected",
    [
        (b"caf\xc3\xa9 \xe2\x80\x94 done", "caf\u00e9 \u2014 done"),  # UTF-8 after an ASCII head
        (b"it\x92s \x93quoted\x94", "it\u2019s \u201cquoted\u201d"),  # Windows-1252 bytes after an ASCII head
        (b"undefined \x81 byte", "undefined \x81 byte"),
    ],
)
def test_ingest_streaming_decoder_reads_bytes_past_the_sniffed_head(tmp_path, monkeypatch, tail, expected):
    monkeypatch.setattr(ingest, "SNIFF_BYTES", 64)
    head = b"text,source\n" + b"".join(b'"plain ascii row %d of the head",SANA\n' % i for i in range(5))
    (tmp_path / "t.csv").write_bytes(head + b'"' + tail + b'",SANA\n')
    docs = list(ingest.read_file(tmp_path / "t.csv", ingest.ColumnMapping(), {}, 1))
    assert docs[-1].body == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        ("Caf\u00e9 in Aleppo, \u2019quoted\u2019 by the agency".encode("cp1252"), "cp1252"),
        ("Caf\u00e9 \u2014".encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbfBOM", "utf-8-sig"),
        ("UTF-16 \u00e9".encode("utf-16"), "utf-16"),
        ("Caf\u00e9".encode("utf-8")[:-1], "utf-8"),  # a character cut by the end of the sniffed head
    ],
)
def test_ingest_sniff_encoding(data, expected):
    assert ingest.sniff_encoding(data)[0] == expected


def test_ingest_table_cut_off_mid_file_keeps_rows_before(tmp_path):
    """A gzip-truncated or damaged stream: rows before the damage are kept, the rest is one reject."""
    rows = [json.dumps({"text": f"row {i} " * 20}) for i in range(50)]
    (tmp_path / "t.jsonl").write_text("\n".join(rows) + "\n" + '{"text": "cut off mid-li')
    items = list(ingest.read_file(tmp_path / "t.jsonl", ingest.ColumnMapping(), {}, 1))
    assert sum(isinstance(i, ingest.RawDoc) for i in items) == 50
    assert [i.reason for i in items if not isinstance(i, ingest.RawDoc)] == ["invalid JSON line: Unterminated string starting at"]
