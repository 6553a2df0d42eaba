"""Files, tables and HTML -> raw documents (+ rejects with reasons).

This is one of the few modules that touches files. Tables (CSV, JSONL, Parquet) are
streamed: rows are decoded and handed on one at a time, so memory does not depend
on the size of the file. It yields :class:`RawDoc`
records (text still uncleaned, metadata as found) or :class:`Reject` records;
it never raises for a bad input and never stops at one.

Supported inputs: folders (recursive) of .txt/.md/.html/.htm files; .csv,
.jsonl/.ndjson and .parquet tables with a column mapping (auto-detected from
common names); an optional sidecar manifest CSV mapping file names to url,
outlet and published date.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.schema import Reject

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".parquet"}
MANIFEST_NAMES = {"manifest.csv", "_manifest.csv"}
OUTPUT_NAMES = {"events.parquet", "articles.parquet", "run_report.json", "_compaction.json"}
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", "README.md", "SOURCE.txt"}

# Common names for each role, tried in order (case-insensitive) when the user gives no mapping.
COLUMN_CANDIDATES = {
    "text": ("text", "article_content", "content", "body", "article_text", "article", "full_text", "story", "maintext"),
    "title": ("title", "article_title", "headline", "heading"),
    "url": ("url", "link", "article_url", "source_url", "href"),
    "outlet": ("outlet", "source", "publisher", "source_name", "site", "sitename", "domain", "media", "newspaper"),
    "date": ("date", "published", "publish_date", "published_at", "pubdate", "publication_date", "date_publish", "datetime"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """User-given column names for tables; None means auto-detect."""

    text: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class RawDoc:
    """One document as read, before cleaning: ``where`` is the path, or ``path#row=N``."""

    where: str
    body: str
    is_html: bool
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class ManifestEntry:
    url: str | None
    outlet: str | None
    date: str | None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding). UTF-8 (with or without BOM) first,
    then UTF-16 by BOM, then Windows-1252 as browsers decode it (undefined bytes kept as
    Latin-1), unless charset detection finds a clearly non-Latin legacy encoding."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    legacy = _detect_legacy(data)
    if legacy:
        return data.decode(legacy, errors="replace"), legacy
    return data.decode("cp1252", errors="latin1_fallback"), "cp1252"


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    bad = err.object[err.start : err.end]
    return bad.decode("latin-1"), err.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def _detect_legacy(data: bytes) -> str | None:
    """A non-Latin legacy encoding (Cyrillic, Arabic, Greek, CJK) when the bytes clearly say so."""
    high = sum(1 for b in data[:65536] if b >= 0x80)
    if high < 0.1 * min(len(data), 65536):
        return None  # mostly ASCII: Latin text with a few accented or smart-quote bytes
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536], cp_isolation=["cp1251", "koi8_r", "cp1256", "iso8859_6", "cp1253", "gb18030", "shift_jis", "euc_kr", "cp1252"]).best()
    if best is None or best.encoding in {"cp1252", "latin_1"}:
        return None
    return best.encoding


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return bool(sample) and controls > 0.05 * len(sample)


def discover(paths: Sequence[Path], exclude: Iterable[Path] = ()) -> Iterator[Path | Reject]:
    """Every input file under the given paths, sorted, recursively; rejects for paths that do not exist."""
    skip = {p.resolve() for p in exclude}
    for root in paths:
        if not root.exists():
            yield Reject(str(root), "path does not exist: check the spelling, or quote paths with spaces")
            continue
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            parts = path.relative_to(root.parent).parts
            if path.resolve() in skip or any(part.startswith(".") for part in parts):
                continue
            if root.is_dir() and any(part in OUTPUT_NAMES for part in parts[:-1]):
                continue  # inside an output dataset folder (events.parquet/, articles.parquet/)
            if path.name in IGNORED_NAMES or path.name in MANIFEST_NAMES:
                continue
            if path.name in OUTPUT_NAMES and root.is_dir():
                continue
            yield path


def load_manifest(path: Path) -> tuple[dict[str, ManifestEntry], list[Reject]]:
    """Sidecar CSV: a file-name column (file/filename/path/name) and any of url, outlet/source, date/published."""
    text, _ = decode_bytes(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    cols = {c.lower().strip(): c for c in (reader.fieldnames or [])}
    key = next((cols[c] for c in ("file", "filename", "path", "name") if c in cols), None)
    if key is None:
        return {}, [Reject(str(path), f"manifest has no file-name column (file, filename or path); columns: {sorted(cols)}", "manifest")]
    pick = {role: _pick_column(list(cols.values()), None, role) for role in ("url", "outlet", "date")}
    entries: dict[str, ManifestEntry] = {}
    for row in reader:
        name = (row.get(key) or "").strip()
        if name:
            entries[Path(name).name] = ManifestEntry(*(_cell(row, pick[r]) for r in ("url", "outlet", "date")))
    return entries, []


def _cell(row: dict, col: str | None) -> str | None:
    if col is None:
        return None
    value = row.get(col)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _pick_column(columns: Sequence[str], given: str | None, role: str) -> str | None:
    if given:
        return given if given in columns else None
    lower = {c.lower().strip(): c for c in columns}
    return next((lower[c] for c in COLUMN_CANDIDATES[role] if c in lower), None)


def resolve_mapping(columns: Sequence[str], mapping: ColumnMapping) -> tuple[dict[str, str | None], str | None]:
    """Map roles to the table's columns. Returns (role -> column, error) where error explains a missing text column."""
    chosen = {role: _pick_column(columns, getattr(mapping, role), role) for role in COLUMN_CANDIDATES}
    missing_given = [f"--{r}-col {getattr(mapping, r)!r}" for r in COLUMN_CANDIDATES if getattr(mapping, r) and not chosen[r]]
    if missing_given:
        return chosen, f"column not found: {', '.join(missing_given)}; columns are {list(columns)}"
    if chosen["text"] is None:
        return chosen, f"no article text column; columns are {list(columns)}; name it with --text-col"
    return chosen, None


def read_file(path: Path, mapping: ColumnMapping, manifest: dict[str, ManifestEntry], max_bytes: int) -> Iterator[RawDoc | Reject]:
    """All documents in one input file, or rejects saying why not."""
    suffix = path.suffix.lower()
    where = str(path)
    if suffix in TABLE_SUFFIXES:
        yield from _read_table(path, suffix, mapping)
        return
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        yield Reject(where, f"unsupported file type {suffix or '(none)'}: use .txt, .md, .html, .csv, .jsonl or .parquet")
        return
    size = path.stat().st_size
    if size == 0:
        yield Reject(where, "empty file")
        return
    if size > max_bytes:
        yield Reject(where, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit: split it or raise --max-file-mb")
        return
    data = path.read_bytes()
    if looks_binary(data):
        yield Reject(where, "binary file (NUL or control bytes), not text or HTML")
        return
    text, _ = decode_bytes(data)
    if not text.strip():
        yield Reject(where, "file holds only whitespace")
        return
    meta = manifest.get(path.name) or ManifestEntry(None, None, None)
    yield RawDoc(where, text, suffix in HTML_SUFFIXES or _sniff_html(text), None, meta.url, meta.outlet, meta.date)


def _sniff_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


def _read_table(path: Path, suffix: str, mapping: ColumnMapping) -> Iterator[RawDoc | Reject]:
    where = str(path)
    try:
        columns, rows = _open_table(path, suffix)
    except (OSError, ValueError, UnicodeError, csv.Error) as exc:
        yield Reject(where, f"cannot read table: {exc}")
        return
    chosen, error = resolve_mapping(columns, mapping)
    if error:
        rows.close()
        yield Reject(where, error)
        return
    i = 0
    try:
        for i, row in enumerate(rows, start=1):
            yield _table_doc(f"{where}#row={i}", row, chosen)
    except (OSError, ValueError, UnicodeError) as exc:  # the file broke off or went bad after row i
        yield Reject(f"{where}#row={i + 1}", f"reading stopped here, rows before are kept: {exc}")
    finally:
        rows.close()


def _table_doc(where: str, row: dict | Reject, chosen: dict[str, str | None]) -> RawDoc | Reject:
    if isinstance(row, Reject):
        return Reject(where, row.reason)
    body = _cell(row, chosen["text"])
    if not body:
        return Reject(where, f"empty text in column {chosen['text']!r}")
    return RawDoc(where, body, _sniff_html(body), *(_cell(row, chosen[r]) for r in ("title", "url", "outlet", "date")))


SNIFF_BYTES = 1 << 20  # how much of a table is read to choose its encoding
JSONL_SCHEMA_LINES = 1000  # JSON lines whose keys name the columns of a JSONL table


def sniff_encoding(head: bytes) -> tuple[str, str]:
    """(encoding, error handler) for a stream that starts with ``head``: the streaming form of
    :func:`decode_bytes`. UTF-8 when the head is valid UTF-8 (a later invalid byte is read as
    Windows-1252), else a clearly non-Latin legacy encoding, else Windows-1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "cp1252_fallback"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "replace"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8", "cp1252_fallback"
    except UnicodeDecodeError:
        pass
    return _detect_legacy(head) or "cp1252", "latin1_fallback"


def _cp1252_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="latin1_fallback"), err.end


codecs.register_error("cp1252_fallback", _cp1252_fallback)


def open_text(path: Path) -> io.TextIOWrapper:
    """A text stream over the file, decoded as it is read (never the whole file in memory)."""
    raw = path.open("rb")
    head = raw.read(SNIFF_BYTES)
    raw.seek(0)
    encoding, errors = sniff_encoding(head)
    return io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")


def _open_table(path: Path, suffix: str) -> tuple[list[str], Iterator[dict | Reject]]:
    """The table's columns and a lazy stream of its rows (dicts, or rejects for bad rows)."""
    if suffix == ".parquet":
        return _open_parquet(path)
    stream = open_text(path)
    try:
        if suffix in {".jsonl", ".ndjson"}:
            return _open_jsonl(stream)
        csv.field_size_limit(1 << 30)
        reader = csv.DictReader(stream, delimiter="\t" if suffix == ".tsv" else ",")
        columns = [c for c in (reader.fieldnames or []) if c is not None]
    except BaseException:
        stream.close()
        raise
    if not columns:
        stream.close()
        raise ValueError("no header row")
    return columns, _closing(stream, _csv_rows(reader, len(columns)))


def _closing(stream, rows: Iterator) -> Iterator:
    with stream:
        yield from rows


def _csv_rows(reader: csv.DictReader, width: int) -> Iterator[dict | Reject]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Reject("", f"malformed CSV row: {exc}")
            return
        if None in row:  # more fields than the header
            yield Reject("", f"row has {width + len(row[None])} fields, header has {width}")
            continue
        yield row


def _open_jsonl(stream: io.TextIOWrapper) -> tuple[list[str], Iterator[dict | Reject]]:
    """Columns from the keys of the first lines (read ahead, then replayed), rows streamed."""
    head = [line for _, line in zip(range(JSONL_SCHEMA_LINES), stream)]
    columns: list[str] = []
    for line in head:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            columns.extend(k for k in obj if k not in columns)

    def rows() -> Iterator[dict | Reject]:
        for line in itertools.chain(head, stream):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Reject("", f"invalid JSON line: {exc.msg}")
                continue
            yield {k: (v if isinstance(v, str) or v is None else str(v)) for k, v in obj.items()} if isinstance(obj, dict) else Reject("", "JSON line is not an object")

    return columns, _closing(stream, rows())


def _open_parquet(path: Path) -> tuple[list[str], Iterator[dict | Reject]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    columns = list(pf.schema_arrow.names)

    def rows() -> Iterator[dict]:
        for batch in pf.iter_batches(batch_size=256):
            for row in batch.to_pylist():
                yield {k: (None if v is None else str(v)) for k, v in row.items()}

    return columns, _closing(pf, rows())
