"""Format readers on large files: ``nlp_review.formats.parse`` against the bare library a user
would otherwise call on the same file, in the same run.

    nice -n 10 /work/venv/bin/python benchmarks/formats/run.py [--mb 50] [--formats ris ...]

Builds one file of about ``--mb`` MB per format from the real records in
../shared/datasets/dedup (the five gambling-harms RIS exports and the EndNote XML library),
written out in each format (benchmarks/.work/formats/, not committed), then parses each one in
a fresh process and prints wall time, CPU time (user + system: steadier than wall time on a
shared machine), records per CPU second and peak RSS. Peers:
``rispy.loads`` (RIS), ``pandas.read_csv`` (CSV), ``bibtexparser.loads`` (BibTeX),
``xml.etree.ElementTree.parse`` (PubMed and EndNote XML); MEDLINE has no library peer here.
The peers only tokenise (no decoding checks, no field mapping, no Record objects)."""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import subprocess
import sys
import time
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "datasets" / "dedup"
WORK = REPO / "benchmarks" / ".work" / "formats"
FORMATS = ("ris", "pubmed-nbib", "pubmed-xml", "endnote-xml", "csv", "bibtex")


# -- building the files --------------------------------------------------------------------

def _seed_records():
    from nlp_review.formats import parse

    records = []
    for path in sorted((SHARED / "multi_database_exports").glob("*.ris")):
        records += parse(path.read_bytes(), path.name).records
    return records


def _medline(record, n: int) -> str:
    lines = [f"PMID- {30000000 + n}", f"TI  - {record.title}"]
    if record.abstract:
        lines.append(f"AB  - {record.abstract}")
    for author in record.authors:
        lines.append(f"FAU - {author}")
    lines += [f"DP  - {record.year or ''}", f"JT  - {record.journal or ''}",
              f"VI  - {record.volume or ''}", f"PG  - {record.pages or ''}"]
    if record.doi:
        lines.append(f"LID - {record.doi} [doi]")
    lines += [f"OT  - {k}" for k in record.keywords]
    wrapped = []
    for line in lines:  # PubMed wraps at 80 columns with a 6-space indent
        parts = textwrap.wrap(line, 80, subsequent_indent="      ", break_long_words=False)
        wrapped += parts or [line]
    return "\n".join(wrapped) + "\n\n"


def _pubmed_xml(record, n: int) -> str:
    e = html.escape
    authors = "".join(f"<Author><LastName>{e(a.split(',')[0])}</LastName><ForeName>"
                      f"{e(a.split(',')[-1].strip())}</ForeName></Author>"
                      for a in record.authors)
    doi = f'<ELocationID EIdType="doi">{e(record.doi)}</ELocationID>' if record.doi else ""
    return (f"<PubmedArticle><MedlineCitation><PMID>{30000000 + n}</PMID><Article><Journal>"
            f"<JournalIssue><Volume>{e(record.volume or '')}</Volume><PubDate><Year>"
            f"{record.year or ''}</Year></PubDate></JournalIssue><Title>"
            f"{e(record.journal or '')}</Title></Journal><ArticleTitle>{e(record.title or '')}"
            f"</ArticleTitle>{doi}<Abstract><AbstractText>{e(record.abstract or '')}"
            f"</AbstractText></Abstract><AuthorList>{authors}</AuthorList></Article>"
            f"</MedlineCitation></PubmedArticle>\n")


def _bibtex(record, n: int) -> str:
    def v(text):
        return (text or "").replace("{", "(").replace("}", ")")
    return (f"@article{{key{n},\n  title = {{{v(record.title)}}},\n  author = "
            f"{{{' and '.join(v(a) for a in record.authors)}}},\n  year = {{{record.year or ''}}},"
            f"\n  journal = {{{v(record.journal)}}},\n  doi = {{{v(record.doi)}}},\n  abstract = "
            f"{{{v(record.abstract)}}},\n}}\n\n")


def build(fmt: str, megabytes: float) -> Path:
    """A file of about ``megabytes`` MB in ``fmt`` (built once, reused by later runs)."""
    WORK.mkdir(parents=True, exist_ok=True)
    suffix = {"pubmed-nbib": "nbib", "pubmed-xml": "xml", "endnote-xml": "enl.xml"}.get(fmt, fmt)
    path = WORK / f"{fmt}_{megabytes:g}mb.{suffix}"
    if path.exists():
        return path
    target = int(megabytes * 1_000_000)
    if fmt == "ris":
        unit = b"\r\n".join((SHARED / "multi_database_exports" / name).read_bytes()
                            for name in sorted(p.name for p in
                                               (SHARED / "multi_database_exports").glob("*.ris")))
        unit = unit.replace(b"\xef\xbb\xbf", b"") + b"\r\n"
        path.write_bytes(unit * (target // len(unit) + 1))
        return path
    if fmt == "endnote-xml":
        text = (SHARED / "endnote_xml" / "respiratory.xml").read_text(encoding="utf-8")
        head, rest = text.split("<records>", 1)
        body, tail = rest.rsplit("</records>", 1)
        copies = target // len(text.encode()) + 1
        path.write_text(head + "<records>" + body * copies + "</records>" + tail,
                        encoding="utf-8")
        return path
    from nlp_review.formats import record_to_row, write_csv

    records = _seed_records()
    chunks: list[str] = []
    size = 0
    n = 0
    if fmt == "pubmed-xml":
        chunks.append('<?xml version="1.0" ?>\n<PubmedArticleSet>\n')
    while size < target:
        record = records[n % len(records)]
        n += 1
        if fmt == "pubmed-nbib":
            chunk = _medline(record, n)
        elif fmt == "pubmed-xml":
            chunk = _pubmed_xml(record, n)
        elif fmt == "bibtex":
            chunk = _bibtex(record, n)
        else:
            row = record_to_row(record, record_id=n)
            chunk = write_csv([row]).split("\n", 1)[1] if chunks else write_csv([row])
        chunks.append(chunk)
        size += len(chunk.encode())
    if fmt == "pubmed-xml":
        chunks.append("</PubmedArticleSet>\n")
    path.write_text("".join(chunks), encoding="utf-8")
    return path


# -- measuring -----------------------------------------------------------------------------

def measure_one(fmt: str, path: Path, who: str) -> dict:
    """Parse ``path`` in this process and return the figures (run in a fresh process)."""
    import io
    import xml.etree.ElementTree as ET

    import bibtexparser
    import pandas as pd
    import rispy

    from nlp_review.formats import parse

    data = path.read_bytes()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()  # imports above are not timed
    if who == "ours":
        n = len(parse(data, path.name).records)
    elif fmt == "ris":
        n = len(rispy.loads(data.decode("utf-8")))
    elif fmt == "csv":
        n = len(pd.read_csv(io.BytesIO(data), dtype=str))
    elif fmt == "bibtex":
        n = len(bibtexparser.loads(data.decode("utf-8")).entries)
    elif fmt in ("pubmed-xml", "endnote-xml"):
        tag = "PubmedArticle" if fmt == "pubmed-xml" else "record"
        n = len(ET.parse(io.BytesIO(data)).getroot().findall(f".//{tag}"))
    else:
        return {}
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start
    return {"records": n, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of each file in MB")
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per parse")
    parser.add_argument("--one", nargs=3, metavar=("FORMAT", "PATH", "WHO"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one[0], Path(args.one[1]), args.one[2])))
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| format | file MB | who | records | wall s | CPU s | records per CPU s | "
          "peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for fmt in args.formats:
        path = build(fmt, args.mb)
        mb = path.stat().st_size / 1e6
        for who in ("ours", "peer"):
            try:
                done = subprocess.run([sys.executable, __file__, "--one", fmt, str(path), who],
                                      capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"| {fmt} | {mb:.1f} | {who} | - | > {args.timeout:.0f} | - | - |",
                      flush=True)
                continue
            if done.returncode != 0:
                print(f"| {fmt} | {mb:.1f} | {who} | failed: "
                      f"{done.stderr.strip().splitlines()[-1:]} |", flush=True)
                continue
            figures = json.loads(done.stdout) if done.stdout.strip() else {}
            if not figures:
                continue
            cpu = figures["cpu_seconds"]
            rate = figures["records"] / cpu if cpu else 0
            print(f"| {fmt} | {mb:.1f} | {who} | {figures['records']} | {figures['seconds']} | "
                  f"{cpu} | {rate:,.0f} | {figures['peak_rss_mb']} |", flush=True)


if __name__ == "__main__":
    main()
