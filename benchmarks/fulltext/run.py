"""Full-text benchmark: PDF extraction speed (pages/s) and memory per document, text quality
against reference texts, JATS speed, end-to-end `fulltext add` time, and tagging speed
(sentences/s) over the taggable paragraphs of every shared full text.

Peer in the same run: pdfminer.six's own ``extract_text`` (same library, no layout
post-processing): its speed, and its similarity to the same reference texts.

Run from the repository root:
    nice -n 10 /work/venv/bin/python benchmarks/fulltext/run.py
"""

from __future__ import annotations

import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared" / "datasets" / "fulltext"
sys.path.insert(0, str(REPO))
logging.getLogger("pdfminer").setLevel(logging.ERROR)

from nlp_review.fulltext.compare import body_text, similarity  # noqa: E402
from nlp_review.fulltext.jats import read_jats  # noqa: E402
from nlp_review.fulltext.pdf import read_pdf  # noqa: E402

BODY = ("introduction", "methods", "results", "discussion", "conclusion")

_CHILD = r"""
import json, resource, sys, time, logging
logging.getLogger("pdfminer").setLevel(logging.ERROR)
from nlp_review.fulltext.pdf import read_pdf
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
c = time.process_time()
text = read_pdf(data, name=sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t, "pages": text.pages,
                  "cpu": time.process_time() - c,
                  "base_mb": base / 1024,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def pdf_extraction() -> list[dict]:
    from pdfminer.high_level import extract_text

    rows = []
    for path in sorted((SHARED / "pdf" / "cermine").glob("*.pdf")):
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                             text=True, cwd=REPO, check=True)
        child = json.loads(out.stdout)
        t = time.perf_counter()
        extract_text(str(path))
        peer = time.perf_counter() - t
        rows.append({"file": path.name, "pages": child["pages"], "seconds": child["seconds"],
                     "cpu": child["cpu"],
                     "pages_per_s": child["pages"] / child["seconds"],
                     "peer_seconds": peer, "peer_pages_per_s": child["pages"] / peer,
                     "peak_mb": child["peak_mb"],
                     "extra_mb": child["peak_mb"] - child["base_mb"]})
    return rows


def quality() -> list[dict]:
    """Similarity to reference texts where they exist (CERMINE's expected output)."""
    from pdfminer.high_level import extract_text

    cermine = SHARED / "pdf" / "cermine"
    rows = []
    ref = read_jats((cermine / "test2.cermine-expected-content.xml").read_bytes())
    ref_body = body_text(ref, BODY + ("other",))
    ours = body_text(read_pdf((cermine / "test2.pdf").read_bytes()), BODY)
    raw = extract_text(str(cermine / "test2.pdf"))
    # The peer's text holds front matter and references too: compare the same span.
    start = raw.find("1. Introduction")
    end = raw.find("Acknowledgments")
    rows.append({"file": "test2.pdf body vs CERMINE expected body",
                 "ours": similarity(ours, ref_body),
                 "peer": similarity(raw[start + len("1. Introduction"):end], ref_body)})
    ref_abs = " ".join(p.text for p in ref.paragraphs("abstract"))
    ours_pdf = read_pdf((cermine / "test2.pdf").read_bytes())
    first = " ".join(p.text for s in ours_pdf.sections[:3] for p in s.paragraphs)
    i = first.find("Objectives.")
    rows.append({"file": "test2.pdf abstract vs CERMINE abstract",
                 "ours": similarity(first[i:i + len(ref_abs)], ref_abs),
                 "peer": similarity(raw[raw.find("Objectives."):][:len(ref_abs)], ref_abs)})
    meta = read_jats((cermine / "test1.cermine-expected-metadata.xml").read_bytes())
    t1 = read_pdf((cermine / "test1.pdf").read_bytes())
    rows.append({"file": "test1.pdf title vs CERMINE metadata title",
                 "ours": similarity(t1.title or "", meta.title or ""), "peer": None})
    ref_abs1 = " ".join(p.text for p in meta.paragraphs("abstract"))
    if ref_abs1:
        ours_abs1 = " ".join(p.text for p in t1.paragraphs("abstract"))
        rows.append({"file": "test1.pdf abstract vs CERMINE metadata abstract",
                     "ours": similarity(ours_abs1, ref_abs1), "peer": None})
    return rows


def jats_speed() -> dict:
    files = sorted(p for p in (SHARED / "jats").glob("*/*") if p.suffix in {".xml", ".nxml"})
    t = time.perf_counter()
    n_par = 0
    for p in files:
        n_par += sum(len(s.paragraphs) for s in read_jats(p.read_bytes()).sections)
    seconds = time.perf_counter() - t
    return {"files": len(files), "seconds": seconds, "per_file_ms": 1000 * seconds / len(files),
            "paragraphs": n_par}


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the PDF worker is joined
    when ``add_fulltexts`` returns)."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def ingest_end_to_end() -> list[dict]:
    """`add_fulltexts` into a fresh project (worker process start included), then
    `tag_fulltexts` (tagging pipeline built once beforehand, its load time reported apart)."""
    from nlp_review.fulltext.ingest import add_fulltexts
    from nlp_review.fulltext.tagging import tag_fulltexts
    from nlp_review.store.project import init_project
    from nlp_review.tagging.pipeline import build_pipeline

    t, c = time.perf_counter(), time.process_time()
    nlp = build_pipeline()
    load, load_cpu = time.perf_counter() - t, time.process_time() - c
    rows = []
    for name in ("test6.pdf", "example3.pdf", "example2.pdf"):
        with tempfile.TemporaryDirectory() as tmp:
            project = init_project(Path(tmp) / "p")
            t, c = time.perf_counter(), _cpu()
            (outcome,) = add_fulltexts(project, [SHARED / "pdf" / "cermine" / name])
            ingest, ingest_cpu = time.perf_counter() - t, _cpu() - c
            t, c = time.perf_counter(), _cpu()
            report = tag_fulltexts(project.conn, nlp, "bench")
            tag, tag_cpu = time.perf_counter() - t, _cpu() - c
            rows.append({"file": name, "pages": outcome.pages, "extract_s": outcome.seconds,
                         "ingest_s": ingest, "tag_s": tag, "sentences": report.sentences,
                         "status": outcome.status, "load_s": load, "load_cpu": load_cpu,
                         "ingest_cpu": ingest_cpu, "tag_cpu": tag_cpu})
            project.close()
    return rows


def tagging_speed() -> dict | None:
    try:
        from nlp_review.tagging.pipeline import build_pipeline, doc_to_spans
    except ImportError:
        return None
    texts = []
    for p in sorted(SHARED.glob("jats/*/*")):
        if p.suffix in {".xml", ".nxml"}:
            t = read_jats(p.read_bytes())
            texts += [para.text for s in t.sections if s.taggable for para in s.paragraphs]
    pdf_texts = []
    for p in sorted((SHARED / "pdf" / "cermine").glob("*.pdf")):
        t = read_pdf(p.read_bytes())
        pdf_texts += [para.text for s in t.sections if s.taggable for para in s.paragraphs]
    t0 = time.perf_counter()
    nlp = build_pipeline()
    load = time.perf_counter() - t0
    out = {"load_s": load}
    for name, batch in (("jats", texts), ("pdf", pdf_texts)):
        t = time.perf_counter()
        n_sent = n_spans = 0
        for doc in nlp.pipe(batch, batch_size=64):
            n_sent += sum(1 for _ in doc.sents)
            n_spans += len(doc_to_spans(doc))
        sec = time.perf_counter() - t
        out[name] = {"paragraphs": len(batch), "sentences": n_sent, "spans": n_spans,
                     "seconds": sec, "sentences_per_s": n_sent / sec}
    return out


def main() -> None:
    print("## PDF extraction (each file in a fresh process; peer = pdfminer extract_text)")
    rows = pdf_extraction()
    print(f"{'file':<14}{'pages':>6}{'ours s':>8}{'cpu s':>7}{'pages/s':>9}{'peer s':>8}"
          f"{'peer p/s':>9}{'peak MB':>9}{'+MB':>7}")
    for r in rows:
        print(f"{r['file']:<14}{r['pages']:>6}{r['seconds']:>8.2f}{r['cpu']:>7.2f}"
              f"{r['pages_per_s']:>9.1f}"
              f"{r['peer_seconds']:>8.2f}{r['peer_pages_per_s']:>9.1f}{r['peak_mb']:>9.0f}"
              f"{r['extra_mb']:>7.0f}")
    pages = sum(r["pages"] for r in rows)
    ours = sum(r["seconds"] for r in rows)
    peer = sum(r["peer_seconds"] for r in rows)
    print(f"total: {pages} pages, ours {ours:.2f} s = {pages / ours:.1f} pages/s; "
          f"peer {peer:.2f} s = {pages / peer:.1f} pages/s; "
          f"peak RSS per document median {statistics.median(r['peak_mb'] for r in rows):.0f} MB"
          f" (max {max(r['peak_mb'] for r in rows):.0f} MB, of which extraction "
          f"max +{max(r['extra_mb'] for r in rows):.0f} MB)")
    cpu = sum(r["cpu"] for r in rows)
    print(f"CPU time (less sensitive to other load on the machine): {cpu:.2f} s = "
          f"{pages / cpu:.1f} pages per CPU-second")
    print(f"20-page PDF extraction estimate: {20 * ours / pages:.2f} s wall at the measured "
          f"rate, {20 * cpu / pages:.2f} s CPU")

    print("\n## Similarity to reference texts (rapidfuzz ratio on normalised text, 0-100)")
    for r in quality():
        peer_s = f"{r['peer']:.1f}" if r["peer"] is not None else "-"
        print(f"{r['file']:<50} ours {r['ours']:.1f}  peer {peer_s}")

    j = jats_speed()
    print(f"\n## JATS: {j['files']} files, {j['paragraphs']} paragraphs in {j['seconds']:.2f} s "
          f"({j['per_file_ms']:.0f} ms per file)")

    print("\n## `fulltext add` + `fulltext tag` end to end (fresh project, worker start "
          "included)")
    rows = ingest_end_to_end()
    print(f"(tagging pipeline load, once per command: {rows[0]['load_s']:.2f} s wall, "
          f"{rows[0]['load_cpu']:.2f} s CPU)")
    for r in rows:
        total = r["ingest_s"] + r["tag_s"]
        print(f"{r['file']:<14}{r['pages']:>4} pages: extraction {r['extract_s']:.2f} s, "
              f"ingest {r['ingest_s']:.2f} s, tag {r['tag_s']:.2f} s ({r['sentences']} "
              f"sentences) = {total:.2f} s, {total / r['pages']:.3f} s/page -> 20 pages "
              f"{20 * total / r['pages']:.2f} s (+ load {r['load_s']:.2f} s); CPU "
              f"{r['ingest_cpu'] + r['tag_cpu']:.2f} s -> 20 pages "
              f"{20 * (r['ingest_cpu'] + r['tag_cpu']) / r['pages']:.2f} s CPU")

    tag = tagging_speed()
    if tag is None:
        print("\n## Tagging: nlp_review.tagging.pipeline not available")
    else:
        print(f"\n## Tagging taggable paragraphs (pipeline load {tag['load_s']:.2f} s)")
        for name in ("jats", "pdf"):
            t = tag[name]
            print(f"{name}: {t['paragraphs']} paragraphs, {t['sentences']} sentences, "
                  f"{t['spans']} spans in {t['seconds']:.2f} s = {t['sentences_per_s']:.0f} "
                  "sentences/s")


if __name__ == "__main__":
    main()
