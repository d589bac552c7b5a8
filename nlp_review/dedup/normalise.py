"""Field normalisation for duplicate detection: pure functions, text in, comparable keys out.

Titles lose case, punctuation, HTML/LaTeX entities, diacritics and "[...]" translation
brackets; authors become surnames (whatever the export's name order or initials); pages
become (first, last) with "123-9" expanded to "123-129"; DOIs lose version suffixes such as
Cochrane's ".pub2"."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nlp_review.records import Record

_LATEX_ACCENT = re.compile(r"\{?\\[`'^\"~=.uvHckbdrt]\s*\{?([A-Za-z])\}?\}?")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\s*")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]{0,40}>")
_BRACKETED = re.compile(r"^\s*\[(.+?)\]\s*\.?\s*$", re.DOTALL)
_SUBTITLE_SPLIT = re.compile(r"\s*(?::|\?|\.\s|\s[-\u2013\u2014]+\s|\s-(?=[A-Za-z])|;)\s*")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_DOI_VERSION = re.compile(r"(\.pub\d+|[./]v\d+|\.r\d+)$")

#: Words that carry no weight in titles and journal names.
STOPWORDS = frozenset(
    "a an and the of in on for to with by from at as or is are its into vs versus".split()
)

_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe",
                           "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i",
                           "&": " and ", "\u2019": "'", "\u2018": "'",
                           "α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ",
                           "κ": " kappa ", "μ": " mu ", "ω": " omega ", "ε": " epsilon ",
                           "θ": " theta ", "λ": " lambda ", "σ": " sigma ", "τ": " tau "})


def fold(text: str | None) -> str:
    """Unescape HTML and LaTeX, drop tags and diacritics, lower-case; keep punctuation."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(html.unescape(text)).replace("&", " and ")
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    if "\\" in text or "{" in text:
        text = _LATEX_ACCENT.sub(r"\1", text)
        text = _LATEX_COMMAND.sub(" ", text).replace("{", "").replace("}", "")
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_TRANSLIT)))
    return text.lower()


_NON_WORD = re.compile(r"[\W_]+")
_ASCII_PUNCT = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def squash(text: str) -> str:
    """Letters and digits only (any script), single-spaced."""
    if text.isascii():
        return " ".join(text.translate(_ASCII_PUNCT).split())
    return " ".join(_NON_WORD.sub(" ", text).split())


#: Annotations databases append to titles: "(Structured abstract)", "[Review] [45 refs]".
_DB_NOTES = re.compile(
    r"\((?:provisional|structured|author'?s'?|english|abstract)[^)]{0,20}\)"
    r"|\[(?:review|see comments?|comment|editorial|letter|article in [a-z]+|"
    r"\d+ refs?|[a-z]+ language[^\]]*)\]|\*+\s*$", re.IGNORECASE)
_TRAILING_BRACKET = re.compile(r"^(.{20,}?)\s*\[([^\]]{20,})\]\s*\.?\s*$", re.DOTALL)


def normalise_title(title: str | None) -> tuple[str, str, str]:
    """(full, main, alternative) normalised title; ``main`` is the part before any
    subtitle; ``alternative`` is an original-language title given in trailing brackets.

    "[Effect of X on Y]." (a translated title) is read as "Effect of X on Y"; database notes
    such as "(Structured abstract)" or "[Review] [33 refs]" are dropped."""
    folded = fold(title)
    if "(" in folded or "[" in folded or "*" in folded:
        folded = _DB_NOTES.sub(" ", folded).strip()
    match = _BRACKETED.match(folded)
    if match:
        folded = match.group(1)
    alternative = ""
    match = _TRAILING_BRACKET.match(folded)
    if match:
        folded, alternative = match.group(1), squash(match.group(2))
    full = squash(folded)
    parts = [p for p in _SUBTITLE_SPLIT.split(folded) if squash(p)]
    main = squash(parts[0]) if parts else ""
    if len(main.split()) < 2:
        main = full
    return full, main, alternative


_INITIALS = re.compile(r"^(?:[a-z]\.?-?){1,3}$")
_UNKNOWN_AUTHORS = {"unknown", "anonymous", "anon", "et al", "et al.", "n a", "na"}
_CORPORATE = re.compile(r"\b(group|study|consortium|collaboration|collaborative|committee|"
                        r"investigators|trial|network|society|association|working|team|"
                        r"organization|organisation|council|institute|centre|center)\b")
_GLUED = re.compile(r"(?<=\.)\s*(?=[A-Z][A-Za-z'\u2019-]*[a-z][A-Za-z'\u2019-]*\s+[A-Z]\.)")


_AUTHOR_SEPARATORS = re.compile(r"\s+and\s+|;|\|")


def split_authors(authors: list[str] | str | None) -> list[str]:
    """One string per author, whether the export gave a list, "A and B", "A; B" or
    EndNote's glued "Tan A.Schulze A.O'Donnell C. P."."""
    if not authors:
        return []
    items = [authors] if isinstance(authors, str) else list(authors)
    out: list[str] = []
    for item in items:
        for part in _AUTHOR_SEPARATORS.split(str(item)):
            for piece in _GLUED.split(part):
                piece = piece.strip(" ,.")
                if piece:
                    out.append(piece)
    return out


@lru_cache(maxsize=300_000)
def author_surnames(author: str) -> frozenset[str]:
    """The possible surnames of one author name (both ends when the order is unclear)."""
    text = fold(author).strip()
    if not text or squash(text) in _UNKNOWN_AUTHORS:
        return frozenset()
    if _CORPORATE.search(text):
        return frozenset()
    if "," in text:
        head, _, rest = text.partition(",")
        names = {squash(head).replace(" ", "")}
        rest_tokens = rest.split()
        if rest_tokens and _INITIALS.match(rest_tokens[-1]):  # "Giorgi, Rossi P": mis-split
            names.update(squash(t).replace(" ", "") for t in rest_tokens
                         if not _INITIALS.match(t))
        return frozenset(n for n in names if n)
    tokens = [t for t in re.split(r"\s+", text) if t]
    is_init = [bool(_INITIALS.match(t)) or (t.isalpha() and len(t) == 1) for t in tokens]
    names = [squash(t).replace(" ", "") for t, i in zip(tokens, is_init) if not i]
    names = [n for n in names if n]
    if not names:
        return frozenset()
    if len(names) == 1:
        return frozenset(names)
    if is_init[-1]:  # "Zuna R E", "Omulo S."
        return frozenset(["".join(names)]) | {names[0]}
    if is_init[0]:  # "B. Abrahao", "E J Reimer"
        return frozenset([names[-1]])
    return frozenset([names[0], names[-1]])  # "Omulo Sylvia" or "Sylvia Omulo"


def normalise_pages(pages: str | None) -> tuple[str | None, str | None]:
    """(first, last) page; "123-9" -> ("123", "129"), "47--65" -> ("47", "65")."""
    if not pages:
        return None, None
    text = fold(pages).replace("\u2013", "-").replace("\u2014", "-")
    if "no pagination" in text or text.strip() in {"", "n/a", "na"}:
        return None, None
    match = re.match(r"\s*([a-z]*\d+[a-z]?)\s*(?:-+\s*([a-z]*\d+[a-z]?))?", text)
    if not match:
        return None, None
    first = match.group(1).lstrip("0") or "0"
    last = match.group(2)
    if last:
        last = last.lstrip("0") or "0"
        if first.isdigit() and last.isdigit() and len(last) < len(first):
            last = first[: len(first) - len(last)] + last
    return first, last


def normalise_number(value: str | None) -> str | None:
    """The leading number of a volume or issue ("4 (1) (no pagination)" -> "4")."""
    if not value:
        return None
    match = re.search(r"\d+", str(value))
    return match.group(0).lstrip("0") or "0" if match else None


def doi_stem(doi: str | None) -> str | None:
    """A DOI without a version suffix (".pub3", "v2")."""
    if not doi:
        return None
    doi = doi.lower().rstrip("./")
    if "/" not in doi or doi.endswith("/") or len(doi.split("/", 1)[1]) < 4:
        return None  # "10.17705/1CAIS." style truncations identify nothing
    return _DOI_VERSION.sub("", doi)


_JOURNAL_NOISE = re.compile(r"\[[^\]]*\]|\((?:print|online|electronic)[^)]*\)")


def normalise_journal(journal: str | None) -> str:
    """Journal/venue name as lower-case tokens without years, brackets or stop words."""
    text = _JOURNAL_NOISE.sub(" ", fold(journal))
    return " ".join(t for t in squash(text).split() if t not in STOPWORDS and not t.isdigit())


_CONFERENCE = re.compile(r"\b(conference|conf|proceedings|proc|symposium|congress|meeting|"
                         r"amcis|icis|ecis|hicss|pacis|colloquium|annual)\b")
_WORKSHOP = re.compile(r"\b(workshop|wkshp)\b")
_JOURNAL = re.compile(r"\b(journal|j|review|rev|quarterly|transactions|trans|letters|magazine|"
                      r"bulletin|annals|ann|archives|arch)\b")


def venue_kind(journal: str) -> str | None:
    """"workshop", "conference" or "journal" when the normalised venue name says so."""
    if not journal:
        return None
    if _WORKSHOP.search(journal):
        return "workshop"
    if "national academy" in journal or "natl acad" in journal:
        return "journal"
    if _CONFERENCE.search(journal):
        return "conference"
    if _JOURNAL.search(journal):
        return "journal"
    return None


_ERRATUM = re.compile(r"^(erratum|errata|correction|corrigendum|corrigenda|retraction|retracted|"
                      r"notice of retraction|expression of concern|withdrawn)\b")
_REPLY = re.compile(r"^(reply|response|in reply|authors reply|author reply|comment on|"
                    r"comments on|commentary on|letter to the editor)\b")
_PROTOCOL = re.compile(r"\bprotocol\b")
_ABSTRACT = re.compile(r"\b(abstract|poster|oral presentation)\b")

_GENERIC_WORDS = frozenset({"editorial", "s", "remarks", "introductory", "notes", "introduction", "book", "review", "reviews", "reply",
                            "response", "letter", "letters", "commentary", "comment", "erratum",
                            "correction", "preface", "foreword", "news", "abstracts", "index",
                            "contents", "obituary", "unknown", "untitled", "editor", "editors",
                            "note", "issue", "this", "in", "the", "to", "from", "special",
                            "guest", "a", "of", "acknowledgements", "reviewers"})


_NUMBER_WORDS = frozenset("""first second third fourth fifth sixth seventh eighth ninth tenth
eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth
twentieth i ii iii iv v vi vii viii ix x xi xii""".split())


def title_numbers(full: str) -> frozenset[str]:
    """Numbers, ordinals and roman numerals in a normalised title ("part 2", "sixteenth")."""
    words = frozenset(t for t in full.split() if t in _NUMBER_WORDS and t not in {"i", "v", "x"})
    if not _DIGIT.search(full):
        return words
    return frozenset(_DIGITS.findall(_THOUSANDS.sub("", full))) | words


_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")


_LANGUAGE_WORDS = {
    "en": frozenset("the of and in on for with from to an as at by is are its this".split()),
    "de": frozenset("der die das und fur zum zur des den dem mit von im ein eine als auf uber"
                    " bei nach".split()),
    "fr": frozenset("le la les des du et pour une un dans sur au aux avec par est".split()),
    "es": frozenset("el la los las del y para una un en con por al como sobre entre".split()),
    "pt": frozenset("o a os as do da dos das e para uma um em com por no na".split()),
    "nl": frozenset("de het een van en voor met bij naar op over in".split()),
    "sv": frozenset("och i av for med pa till om en ett som".split()),
}


def title_language(full: str) -> str | None:
    """The language whose function words a title uses most, if it is clear."""
    tokens = full.split()
    counts = {lang: sum(t in words for t in tokens) for lang, words in _LANGUAGE_WORDS.items()}
    best = max(counts.values())
    if best == 0:
        return None
    leaders = [lang for lang, n in counts.items() if n == best]
    return leaders[0] if len(leaders) == 1 else None


def title_markers(full: str) -> frozenset[str]:
    """Kinds of publication the title announces: erratum, reply, protocol, abstract."""
    found = set()
    if _ERRATUM.search(full):
        found.add("erratum")
    if _REPLY.search(full):
        found.add("reply")
    if _PROTOCOL.search(full):
        found.add("protocol")
    if _ABSTRACT.search(full):
        found.add("abstract")
    return frozenset(found)


def is_generic_title(full: str) -> bool:
    """True for titles that do not identify a work ("Editorial", "Book review", "Reply")."""
    if not full:
        return True
    tokens = full.split()
    if len(tokens) < 2 or all(t in _GENERIC_WORDS for t in tokens):
        return True
    return len(tokens) <= 8 and bool(_EDITORIAL_WORDS.intersection(tokens))


_EDITORIAL_WORDS = frozenset({"editorial", "editor", "editors", "erratum", "corrigendum",
                              "preface", "foreword"})


@lru_cache(maxsize=300_000)
def _name_tokens(author: str) -> tuple[str, ...]:
    return tuple(t for t in squash(fold(author)).split() if len(t) > 2)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record's comparable keys, computed once per run."""

    title: str
    title_main: str
    title_alt: str
    numbers: frozenset[str]
    generic: bool
    markers: frozenset[str]
    surnames: tuple[frozenset[str], ...]
    name_tokens: frozenset[str]
    year: int | None
    journal: str
    venue: str | None
    volume: str | None
    issue: str | None
    first_page: str | None
    last_page: str | None
    doi: str | None
    pmid: str | None
    abstract: str
    type: str


def prepare(record: Record) -> Prepared:
    """Compute a record's comparable keys."""
    full, main, alt = normalise_title(record.title)
    first, last = normalise_pages(record.pages)
    volume = normalise_number(record.volume)
    if volume is not None and record.year is not None and volume == str(record.year):
        volume = None  # "volume 2016" from a magazine export says nothing
    journal = normalise_journal(record.journal)
    names = split_authors(record.authors)
    surnames = tuple(s for s in (author_surnames(a) for a in names) if s)
    name_tokens = frozenset(t for a in names[:12] for t in _name_tokens(a))
    abstract = " ".join(record.abstract[:700].lower().split())[:600] if record.abstract else ""
    return Prepared(
        title=full,
        title_main=main,
        title_alt=alt,
        numbers=title_numbers(full),
        generic=is_generic_title(full),
        markers=title_markers(full),
        surnames=surnames,
        name_tokens=name_tokens,
        year=record.year,
        journal=journal,
        venue=venue_kind(journal),
        volume=volume,
        issue=normalise_number(record.issue),
        first_page=first,
        last_page=last,
        doi=doi_stem(record.doi),
        pmid=record.pmid,
        abstract=abstract,
        type=(record.type or "").lower(),
    )
