"""Build the bundled demo corpus from the MIT-licensed `ecec_adult_child_ratio` screening
dataset (MikkelVembye/screen_benchmarks): real records about early childhood education and
care, children and families, with the review team's include/exclude labels.

It writes two search exports with a realistic overlap, as two databases would return them:
- `demo/eric_export.ris`   : RIS in a reference manager's dialect (AU "Surname, Given").
- `demo/psycinfo_export.csv`: CSV with Scopus/Ovid-style column names ("Authors" as
  "Surname I.", "Source title"), where records found by both searches differ in the small
  ways real exports do (title case and end punctuation, a missing DOI, initials, DOI as URL).
- `demo/labels.csv`: the review's decision for every demo record, keyed by `source_id`
  (the `ID`/`Accession Number` both exports carry), for the simulated reviewer and tests.

Deterministic: `python corpora/build_demo.py` (run from the repository root) rewrites the
same files. Reads `../shared/datasets/screening/ecec_adult_child_ratio.csv`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import rispy

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "shared" / "datasets" / "screening" / "ecec_adult_child_ratio.csv"
OUT = HERE / "demo"
N_RECORDS = 360      # unique works in the demo
N_RIS_ONLY = 160
N_BOTH = 120         # found by both searches -> duplicates to remove
STOP = set("the of and to in a is that for on with as are was by this were be from an".split())


def english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return len(words) >= 40 and sum(w in STOP for w in words) / len(words) > 0.18


def authors_list(value: object) -> list[str]:
    """'Gerber Emily B; Whitebrook Marcy' -> ['Gerber, Emily B', 'Whitebrook, Marcy']."""
    if not isinstance(value, str):
        return []
    out = []
    for name in value.split(";"):
        parts = name.strip().split()
        if parts:
            out.append(parts[0] + (", " + " ".join(parts[1:]) if len(parts) > 1 else ""))
    return out


def initials(name: str) -> str:
    """'Gerber, Emily B' -> 'Gerber E.B.'"""
    surname, _, given = name.partition(", ")
    return f"{surname} {''.join(g[0] + '.' for g in given.split())}".strip()


def clean_doi(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return re.sub(r"^https?://(dx\.)?doi\.org/", "", value.strip())


def main() -> None:
    data = pd.read_csv(SOURCE)
    data = data[data.abstract.fillna("").map(english) & data.title.notna()]
    rng = np.random.RandomState(2024)
    included = data[data.label_included == 1]
    excluded = data[data.label_included == 0]
    n_inc = min(len(included), 60)
    picked = pd.concat([
        included.sample(n_inc, random_state=rng),
        excluded.sample(N_RECORDS - n_inc, random_state=rng),
    ]).sample(frac=1, random_state=rng)
    picked = picked.assign(source_id=[f"ECEC{int(r)}" for r in picked.record_id])

    ris_part = picked.iloc[: N_RIS_ONLY + N_BOTH]
    csv_part = picked.iloc[N_RIS_ONLY:]          # the last N_BOTH of ris_part overlap
    OUT.mkdir(exist_ok=True)

    entries = []
    for row in ris_part.itertuples():
        entry = {"type_of_reference": "JOUR", "id": row.source_id, "title": row.title,
                 "authors": authors_list(row.authors), "abstract": row.abstract,
                 "year": str(int(row.year)) if pd.notna(row.year) else None,
                 "doi": clean_doi(row.doi), "database_provider": "ERIC (demo)"}
        entries.append({k: v for k, v in entry.items() if v})
    (OUT / "eric_export.ris").write_text(rispy.dumps(entries), encoding="utf-8")

    with open(OUT / "psycinfo_export.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Accession Number", "Authors", "Title", "Year", "Source title",
                         "Abstract", "DOI", "Document Type"])
        for i, row in enumerate(csv_part.itertuples()):
            title, doi = row.title, clean_doi(row.doi)
            overlap = i < N_BOTH
            if overlap and i % 4 == 0:
                title = title.upper() if i % 8 == 0 else title.rstrip(".") + "."
            if overlap and i % 5 == 1:
                doi = None                                   # not indexed with a DOI here
            elif doi and i % 3 == 2:
                doi = "https://doi.org/" + doi
            names = ", ".join(initials(a) for a in authors_list(row.authors))
            writer.writerow([row.source_id, names, title,
                             int(row.year) if pd.notna(row.year) else "", "",
                             row.abstract, doi or "", "Article"])

    picked[["source_id", "record_id", "label_included"]].rename(
        columns={"record_id": "ecec_record_id"}).to_csv(OUT / "labels.csv", index=False)
    print(f"{len(ris_part)} RIS + {len(csv_part)} CSV records, {N_BOTH} in both, "
          f"{len(picked)} unique, {int(picked.label_included.sum())} included")


if __name__ == "__main__":
    main()
