"""Taxonomy, pattern files and context-cue files: loading and validation.

Everything the tagger knows lives as data under ``models/``:

- ``taxonomy.json``: every label with its group, definition and examples;
- ``patterns/<group>.jsonl``: spaCy pattern lines ``{"label", "pattern", "id"}``; a string
  pattern is a phrase (matched on normalised lemmas, so inflections, case and British or
  American spelling all match; hyphen/space variants are generated), a list is a spaCy token
  pattern (``LEMMA`` values are normalised the same way);
- ``context/<category>.jsonl``: negation and hedging cues, terminators and pseudo-cues;
- ``spelling.tsv``: British -> American spellings the suffix rules do not cover.

A file with problems is reported with every bad line at once (``InputErrors``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pycountry
from spacy.schemas import validate_token_pattern

from nlp_review.errors import InputError, InputErrors

GROUPS = ("mechanism", "population", "setting", "intervention", "outcome")
PATTERN_KEYS = {"label", "pattern", "id"}
CONTEXT_CATEGORIES = ("negated", "hedged", "terminate", "pseudo", "exclude", "clause")
CUE_KEYS = {"pattern", "direction", "window", "id", "labels", "role", "relabel",
            "in_texts_with", "unless_texts_with"}
#: Exclusions that depend on the whole text: applied only if it holds / holds none of the
#: listed phrases.
TEXT_CONDITIONS = ("in_texts_with", "unless_texts_with")
CLAUSE_ROLES = ("open", "close")
DIRECTIONS = ("forward", "backward", "both")
TAXONOMY_KEYS = {"group", "label", "definition", "examples"}
MAX_GAPS_FOR_VARIANTS = 3


def default_models_dir() -> Path:
    """The ``models/`` folder shipped beside the package (repository root)."""
    return Path(__file__).resolve().parents[2] / "models"


@dataclass(frozen=True)
class Label:
    group: str
    label: str
    definition: str
    examples: tuple[str, ...]


def load_taxonomy(path: Path) -> dict[str, Label]:
    """Read and validate ``taxonomy.json``: ``{"version", "labels": [{group, label,
    definition, examples}]}``. Returns labels by name."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("taxonomy file not found", file=path,
                         hint="pass --models DIR holding taxonomy.json") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
        raise InputError('expected an object with a "labels" list', file=path)
    errors: list[InputError] = []
    labels: dict[str, Label] = {}
    for i, entry in enumerate(data["labels"], start=1):
        where = dict(file=path, record=f"labels[{i}]")
        if not isinstance(entry, dict):
            errors.append(InputError("expected an object", **where))
            continue
        unknown = set(entry) - TAXONOMY_KEYS
        missing = {"group", "label", "definition"} - set(entry)
        if unknown:
            errors.append(InputError(f"unknown key(s) {sorted(unknown)}", **where))
        if missing:
            errors.append(InputError(f"missing key(s) {sorted(missing)}", **where))
            continue
        if entry["group"] not in GROUPS:
            errors.append(InputError(f"unknown group {entry['group']!r} (valid: "
                                     f"{', '.join(GROUPS)})", **where))
        name = entry["label"]
        if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            errors.append(InputError(f"label {name!r} must be UPPER_SNAKE_CASE", **where))
            continue
        if name in labels:
            errors.append(InputError(f"label {name} defined twice", **where))
        examples = entry.get("examples", [])
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            errors.append(InputError("examples must be a list of strings", **where))
            examples = []
        labels[name] = Label(entry["group"], name, str(entry["definition"]), tuple(examples))
    if errors:
        raise InputErrors(errors, hint="fix the taxonomy file")
    return labels


def _read_jsonl(path: Path, errors: list[InputError]) -> Iterable[tuple[int, Any]]:
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(InputError(f"not valid JSON ({exc.msg}, column {exc.colno})",
                                         file=path, line=lineno))


def _read_objects(path: Path, errors: list[InputError],
                  allowed: set[str]) -> Iterable[tuple[int, dict, dict]]:
    """The JSON objects of a JSONL rule file as ``(line number, where, obj)``; a line that
    is not an object or has keys outside ``allowed`` is reported in ``errors`` and skipped."""
    for lineno, obj in _read_jsonl(path, errors):
        where = dict(file=path, line=lineno)
        if not isinstance(obj, dict):
            errors.append(InputError("expected a JSON object", **where))
            continue
        unknown = set(obj) - allowed
        if unknown:
            errors.append(InputError(f"unknown key(s) {sorted(unknown)}; allowed: "
                                     f"{', '.join(sorted(allowed))}", **where))
            continue
        yield lineno, where, obj


def _check_token_pattern(pattern: Any) -> list[str]:
    if not pattern:
        return ["empty token pattern"]
    out = []
    for problem in validate_token_pattern(pattern):
        # "[pattern -> 0 -> LOWRE] Extra inputs..." -> "token 1, LOWRE: Extra inputs..."
        match = re.match(r"\[pattern -> (\d+)(?: -> ([^\]]*))?\]\s*(.*)", str(problem))
        if match:
            where = f"token {int(match.group(1)) + 1}"
            if match.group(2):
                where += f", {match.group(2)}"
            out.append(f"{where}: {match.group(3)}")
        else:
            out.append(str(problem).replace("[", "(").replace("]", ")"))
    return out


def _pattern_problem(pattern: object, *, empty: str, wrong_type: str) -> str | None:
    """What is wrong with a phrase (string) or token (list) pattern, or None."""
    if isinstance(pattern, str):
        return empty if not pattern.strip() else None
    if isinstance(pattern, list):
        problems = _check_token_pattern(pattern)
        return "bad token pattern: " + "; ".join(problems) if problems else None
    return wrong_type


def load_pattern_file(path: Path, group: str, labels: dict[str, Label]) -> list[dict]:
    """Validated pattern lines of one group's file (raises ``InputErrors`` listing every bad
    line). Each returned entry has ``label``, ``pattern``, ``id`` and ``line``."""
    path = Path(path)
    errors: list[InputError] = []
    entries: list[dict] = []
    for lineno, where, obj in _read_objects(path, errors, PATTERN_KEYS):
        label, pattern = obj.get("label"), obj.get("pattern")
        if label is None or pattern is None:
            errors.append(InputError('each line needs "label" and "pattern"', **where))
            continue
        info = labels.get(label) if isinstance(label, str) else None
        if info is None:
            valid = sorted(k for k, v in labels.items() if v.group == group)
            errors.append(InputError(f"unknown label {label!r} for group {group} (valid: "
                                     f"{', '.join(valid)})", **where))
            continue
        if info.group != group:
            errors.append(InputError(f"label {label} belongs to group {info.group}, not "
                                     f"{group}", **where))
            continue
        problem = _pattern_problem(pattern, empty="empty phrase pattern",
                                   wrong_type="pattern must be a string (phrase) or a list "
                                   "(token pattern)")
        if problem:
            errors.append(InputError(problem, **where))
            continue
        pid = obj.get("id", f"{path.stem}:{lineno}")
        if not isinstance(pid, str):
            errors.append(InputError("id must be a string", **where))
            continue
        entries.append({"label": label, "pattern": pattern, "id": pid, "line": lineno})
    if errors:
        raise InputErrors(errors, hint=f"fix these lines of {path.name}; see "
                                       "models/patterns/README.md")
    return entries


def load_cue_file(path: Path, labels: dict[str, Label] | None = None) -> list[dict]:
    """Validated context cues of one category file (``negated.jsonl``...). In
    ``exclude.jsonl`` a cue removes the tagged spans it covers (of ``labels``, or of any
    label): names of instruments, "child care" for CHILDREN, "school-age" for SCHOOL; with
    ``relabel`` the covered span is moved to that label instead of removed; with
    ``in_texts_with`` / ``unless_texts_with`` (phrases) the cue applies only in texts that
    hold one of them / none of them."""
    path = Path(path)
    category = path.stem
    errors: list[InputError] = []
    cues: list[dict] = []
    for lineno, where, obj in _read_objects(path, errors, CUE_KEYS):
        pattern = obj.get("pattern")
        problem = _pattern_problem(pattern, empty="empty cue",
                                   wrong_type='"pattern" must be a string or a token pattern')
        if problem:
            errors.append(InputError(problem, **where))
            continue
        # A terminator ends the scopes on both of its sides unless told otherwise.
        direction = obj.get("direction", "both" if category == "terminate" else "forward")
        if direction not in DIRECTIONS:
            errors.append(InputError(f"direction {direction!r} must be one of "
                                     f"{', '.join(DIRECTIONS)}", **where))
            continue
        window = obj.get("window", 12)
        if not isinstance(window, int) or window < 1:
            errors.append(InputError("window must be a positive whole number", **where))
            continue
        only = obj.get("labels", [])
        if not isinstance(only, list) or not all(isinstance(x, str) for x in only):
            errors.append(InputError('"labels" must be a list of label names', **where))
            continue
        if only and category != "exclude":
            errors.append(InputError('"labels" is only used in exclude.jsonl', **where))
            continue
        if labels is not None:
            bad = [x for x in only if x not in labels]
            if bad:
                errors.append(InputError(f"unknown label(s) {bad}", **where))
                continue
        relabel = obj.get("relabel")
        if relabel is not None and category != "exclude":
            errors.append(InputError('"relabel" is only used in exclude.jsonl', **where))
            continue
        if relabel is not None and (not isinstance(relabel, str)
                                    or (labels is not None and relabel not in labels)):
            errors.append(InputError(f"relabel: unknown label {relabel!r}", **where))
            continue
        problem = _text_condition_problem(obj, category)
        if problem:
            errors.append(InputError(problem, **where))
            continue
        role = obj.get("role")
        if (role is None) != (category != "clause"):
            errors.append(InputError('"role" (open or close) is needed in clause.jsonl and '
                                     'only there', **where))
            continue
        if role is not None and role not in CLAUSE_ROLES:
            errors.append(InputError(f"role {role!r} must be one of "
                                     f"{', '.join(CLAUSE_ROLES)}", **where))
            continue
        cue = {"category": category, "pattern": pattern, "direction": direction,
               "window": window, "id": obj.get("id", f"{category}:{lineno}"), "labels": only}
        if role is not None:
            cue["role"] = role
        for key in TEXT_CONDITIONS:
            # Only in texts that hold one of these phrases (anywhere) / none of them:
            # "caregiver" names staff, not parents, in a text about child care (guideline 8).
            if obj.get(key) is not None:
                cue[key] = list(obj[key])
        if relabel is not None:
            # The covered span is not dropped but moved to this label (and its group):
            # "patients with depression" is a population (MENTAL_HEALTH_NEED), not an outcome.
            cue["relabel"] = relabel
            cue["relabel_group"] = labels[relabel].group if labels is not None else None
        cues.append(cue)
    if errors:
        raise InputErrors(errors, hint=f"fix these lines of {path.name}")
    return cues


def _text_condition_problem(obj: dict, category: str) -> str | None:
    for key in TEXT_CONDITIONS:
        value = obj.get(key)
        if value is None:
            continue
        if category != "exclude":
            return f'"{key}" is only used in exclude.jsonl'
        if not isinstance(value, list) or not value \
                or not all(isinstance(x, str) and x.strip() for x in value):
            return f'"{key}" must be a non-empty list of phrases'
    return None


SENSE_LIST_KEYS = ("head", "noun_forms", "noun_before", "noun_after", "verb_before",
                   "passive_before", "people", "skip", "object_preps", "list_before",
                   "not_context", "adjective_suffixes", "compound_forms", "condition_labels",
                   "object_start", "determined_preps", "people_modifies", "passive_adverbs",
                   "object_needs", "object_possessives")
SENSE_KEYS = {"id", "label", *SENSE_LIST_KEYS}


def load_sense_file(path: Path, labels: dict[str, Label]) -> list[dict]:
    """Validated word-sense rules of ``context/senses.jsonl`` (see
    ``nlp_review.tagging.senses``): one rule per line with a ``label`` and lists of words;
    every bad line is reported at once. Each rule gets its label's ``group``."""
    path = Path(path)
    errors: list[InputError] = []
    rules: list[dict] = []
    for lineno, where, obj in _read_objects(path, errors, SENSE_KEYS):
        info = labels.get(obj.get("label")) if isinstance(obj.get("label"), str) else None
        if info is None:
            errors.append(InputError(f"unknown or missing label {obj.get('label')!r}", **where))
            continue
        bad = [k for k in SENSE_LIST_KEYS if k in obj and not (
            isinstance(obj[k], list) and all(isinstance(w, str) and w.strip() for w in obj[k]))]
        if bad:
            errors.append(InputError(f"{', '.join(bad)} must be lists of words", **where))
            continue
        if not obj.get("head"):
            errors.append(InputError('"head" must name at least one word', **where))
            continue
        wrong = [c for c in obj.get("not_context", []) if c.split().count("*") != 1]
        if wrong:
            errors.append(InputError(f"not_context {wrong[0]!r} must hold exactly one '*' "
                                     "(the head word)", **where))
            continue
        unknown_labels = [x for x in obj.get("condition_labels", []) if x not in labels]
        if unknown_labels:
            errors.append(InputError(f"unknown label(s) {unknown_labels} in condition_labels",
                                     **where))
            continue
        rules.append({**{k: list(obj.get(k, [])) for k in SENSE_LIST_KEYS},
                      "label": info.label, "group": info.group,
                      "id": str(obj.get("id", f"{path.stem}:{lineno}"))})
    if errors:
        raise InputErrors(errors, hint=f"fix these lines of {path.name}")
    return rules


def load_spelling(path: Path) -> dict[str, str]:
    """British -> American pairs from ``spelling.tsv`` (missing file: none)."""
    path = Path(path)
    if not path.exists():
        return {}
    pairs: dict[str, str] = {}
    errors = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            errors.append(InputError("expected BRITISH<TAB>AMERICAN", file=path, line=lineno))
            continue
        pairs[parts[0].strip().lower()] = parts[1].strip().lower()
    if errors:
        raise InputErrors(errors)
    return pairs


_GAP = re.compile(r"(\s+|-)")


def phrase_variants(phrase: str) -> list[str]:
    """Hyphen and spacing variants of a phrase: each gap may be a space or a hyphen, and a
    hyphen written in the pattern may also be closed up ("after-school" -> "after school",
    "afterschool"). Phrases with more than three gaps are kept as written."""
    parts = _GAP.split(phrase.strip())
    words, gaps = parts[0::2], parts[1::2]
    if not gaps or len(gaps) > MAX_GAPS_FOR_VARIANTS:
        return [phrase.strip()]
    options = [(" ", "-", "\u2013", "") if g == "-" else (" ", "-") for g in gaps]
    out = []
    for combo in itertools.product(*options):
        text = words[0] + "".join(g + w for g, w in zip(combo, words[1:]))
        if text not in out:
            out.append(text)
    return out


#: Regions named as study places often enough to list: the UK's nations, US states,
#: Canadian provinces and territories, Australian states and territories.
SUBDIVISIONS = {"GB": ("Country", "Province", "Nation"), "US": ("State", "District"),
                "CA": ("Province", "Territory"), "AU": ("State", "Territory")}


def country_names() -> list[str]:
    """Country names from ``pycountry``: short, common and official names (skipping the
    inverted "Korea, Republic of" style), plus the regions in ``SUBDIVISIONS``."""
    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and "(" not in value:
                names.add(value)
    for code, types in SUBDIVISIONS.items():
        for sub in pycountry.subdivisions.get(country_code=code) or []:
            if sub.type in types and "," not in sub.name and "(" not in sub.name:
                names.add(sub.name)
    return sorted(names)


def patterns_fingerprint(models_dir: Path) -> str:
    """A hash of every data file the tagger is built from (and the pycountry version), so a
    project knows when its stored tags are out of date."""
    digest = hashlib.sha256()
    models_dir = Path(models_dir)
    files = [models_dir / "taxonomy.json", models_dir / "spelling.tsv"]
    files += sorted((models_dir / "patterns").glob("*.jsonl"))
    files += sorted((models_dir / "context").glob("*.jsonl"))
    for f in files:
        if f.exists():
            digest.update(f.name.encode())
            digest.update(f.read_bytes())
    digest.update(str(getattr(pycountry, "__version__", len(pycountry.countries))).encode())
    from nlp_review.tagging import PIPELINE_VERSION

    digest.update(PIPELINE_VERSION.encode())
    return digest.hexdigest()[:16]
