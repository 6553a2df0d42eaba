"""`python -m pipeline`: parse and validate arguments, then call plain functions.

Exit codes:
  0  every input came through
  1  the run failed (a message says what to do)
  2  usage error (bad arguments)
  3  the run finished but some inputs were rejected (listed in run_report.json, or on stderr for geoparse)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import PipelineError, UsageError
from pipeline.settings import Settings, describe

EXIT_FAILED, EXIT_USAGE = 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Claims Atlas offline pipeline.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="extract and geocode events from a corpus into the OUT/events.parquet dataset")
    run.add_argument("inputs", nargs="+", type=Path, help="files or folders (.txt .md .html .csv .jsonl .parquet)")
    run.add_argument("--out", required=True,
                     help="output folder or fsspec URL (s3://bucket/prefix) for events.parquet/, articles.parquet/, run_report.json")
    for role in ("text", "title", "url", "outlet", "date"):
        run.add_argument(f"--{role}-col", dest=f"{role}_col", help=f"table column holding the article {role} (default: auto-detect)")
    run.add_argument("--manifest", type=Path, help="CSV mapping file names to url, outlet and date (manifest.csv in an input folder is used automatically)")
    run.add_argument("--day-first", action="store_true", help="read ambiguous dates such as 04/05/17 as day/month")
    run.add_argument("--workers", type=int, help="local worker processes (default: the machine's cores)")
    run.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT; writes a partitioned dataset")
    run.add_argument("--model", dest="spacy_model", help="installed spaCy pipeline name (default en_core_web_sm)")
    run.add_argument("--batch-size", type=int, help="articles per batch")
    run.add_argument("--max-file-mb", type=float, help="reject single text/HTML files larger than this")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("--limit", type=int, help="process at most this many new articles (a trial on the head of a big export)")
    run.add_argument("--ingest-only", action="store_true",
                     help="only read, decode, clean and deduplicate the inputs and report (no model, nothing written)")
    run.add_argument("--no-compact", action="store_true", help="leave the run's parts as they are (compact later)")

    comp = sub.add_parser("compact", help="merge a run's parts into one file per (year, outlet) partition")
    comp.add_argument("out", help="a run's output folder or fsspec URL")

    geo = sub.add_parser("geoparse", help="find and resolve toponyms: JSONL in, JSONL out")
    geo.add_argument("input", type=Path, help='JSONL lines {"id":..., "text":..., optional "spans": [[start, end], ...]}')
    geo.add_argument("--out", type=Path, required=True)
    geo.add_argument("--model", dest="spacy_model")

    gaz = sub.add_parser("gazetteer", help="manage the offline gazetteer")
    gsub = gaz.add_subparsers(dest="gazetteer_command", required=True)
    imp = gsub.add_parser("import", help="import a GeoNames dump (allCountries.zip, SY.zip or .txt)")
    imp.add_argument("path", type=Path)
    dl = gsub.add_parser("download", help="download GeoNames country dumps (needs internet)")
    dl.add_argument("countries", nargs="+", help="ISO country codes, e.g. SY IQ")
    dl.add_argument("--base-url", default="https://download.geonames.org/export/dump/")
    gsub.add_parser("build", help="(re)build the compact index from the embedded and imported sources")

    sub.add_parser("settings", help="list every setting with its default and help")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    settings = Settings.from_env().replace(
        spacy_model=getattr(args, "spacy_model", None),
        workers=getattr(args, "workers", None),
        batch_size=getattr(args, "batch_size", None),
        max_file_mb=getattr(args, "max_file_mb", None),
        scheduler=getattr(args, "scheduler", None),
    )
    if getattr(args, "no_progress", False):
        settings = settings.replace(progress=False)
    if getattr(args, "no_compact", False):
        settings = settings.replace(compact=False)
    try:
        return _dispatch(args, settings)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: finished batches are saved; run the same command again to continue", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        return _run(args, settings)
    if args.command == "geoparse":
        from pipeline.geocode.geoparse import geoparse_file

        stats = geoparse_file(args.input, args.out, settings)
        print(f"{stats.docs} documents, {stats.toponyms} toponyms, {stats.resolved} resolved, "
              f"{sum(stats.unresolved.values())} unresolved -> {args.out}", file=sys.stderr)
        for line_no, reason in stats.rejected[:15]:
            print(f"  {args.input}:{line_no}: {reason}", file=sys.stderr)
        return 3 if stats.rejected else 0
    if args.command == "gazetteer":
        return _gazetteer(args, settings)
    if args.command == "compact":
        return _compact(args.out, settings)
    for name, default, help_text in describe():
        print(f"{name:20} {default!s:40} {help_text}")
    return 0


def _gazetteer(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.geocode import gazetteer, geonames_import

    if args.gazetteer_command == "import":
        print(geonames_import.gazetteer_import(args.path, settings))
    elif args.gazetteer_command == "download":
        base_url = args.base_url or geonames_import.GEONAMES_BASE_URL
        print(geonames_import.gazetteer_download(args.countries, settings, base_url=base_url))
    else:
        print(gazetteer.build_index(settings, force=True))
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.ingest import readers as ingest
    from pipeline.run import orchestrator as run

    if settings.workers < 1 or settings.batch_size < 1 or (args.limit is not None and args.limit < 1):
        raise UsageError("--workers, --batch-size and --limit must be at least 1")
    if args.manifest and not args.manifest.is_file():
        raise UsageError(f"manifest {args.manifest} does not exist")
    mapping = ingest.ColumnMapping(args.text_col, args.title_col, args.url_col, args.outlet_col, args.date_col)
    request = run.RunRequest(tuple(args.inputs), args.out, mapping, args.manifest, args.day_first, args.limit)
    if args.ingest_only:
        report = run.ingest_only(request, settings)
        print(f"{report.articles_new} distinct articles read and cleaned from {report.inputs_seen} files "
              f"in {report.seconds:.1f} s (nothing written)", file=sys.stderr)
        lines = list(run.summary_lines(report, args.out))[1:]
    else:
        report = run.run(request, settings)
        lines = list(run.summary_lines(report, args.out))
    for line in lines:
        print(line, file=sys.stderr)
    return run.exit_code(report)


def _compact(out: str, settings: Settings) -> int:
    """Merge the parts of a run; with new parts this is a run's final commit (cross-article linking included)."""
    from pipeline import store
    from pipeline.run import compact
    from pipeline.run import orchestrator as run

    storage = store.Storage(out)
    if not storage.exists(store.EVENTS) and not storage.exists(store.ARTICLES):
        raise UsageError(f"{out} holds no events.parquet or articles.parquet: give the --out folder of a run")
    store.migrate_single_files(storage)
    summary = run.commit_final_events(storage, settings.replace(compact=True)) if store.has_parts(storage) else compact.compact(storage)
    note = f" (an interrupted compaction was {summary.recovered} first)" if summary.recovered else ""
    print(f"compacted {out}: {summary.replaced} files merged into {summary.written}{note}", file=sys.stderr)
    return 0


def entry() -> None:
    sys.exit(main(sys.argv[1:]))
