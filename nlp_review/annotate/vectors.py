"""In-domain static word vectors for the span model, built from unlabelled abstracts.

Counts (Levy, Goldberg & Dagan 2015, "Improving distributional similarity with lessons
learned from word embeddings"): the ``rows`` commonest lower-cased spaCy tokens (the span
model's own tokenizer, blank English) of the texts are the rows and the contexts; each pair
of them within ``window`` tokens of each other in one text counts ``1 / distance``; the
counts become positive pointwise mutual information with the context distribution smoothed
(``alpha`` 0.75), and a truncated SVD (scikit-learn, seeded) of that matrix gives
``U * sqrt(S)`` (eigenvalue weighting 0.5), each row scaled to unit length. Nothing is
downloaded: the texts are the caller's.

The table is a spaCy ``Vectors`` keyed by the token text (ORTH, spaCy's default) with each
lower-cased word's title-case and upper-case forms pointing to the same row, so "support",
"Support" and "SUPPORT" share it (a LOWER-keyed table would be simpler, but spaCy 3.8 does
not save a default-mode table's key attribute: it reads back as ORTH); ``save_vectors`` writes it as a blank spaCy pipeline folder whose vocab holds
it (``spacy.load`` reads it; ``meta.json`` says how it was built), and ``load_vectors``
reads the table from such a folder or from any saved spaCy pipeline with vectors (a span
model trained with them, e.g. ``models/spancat``). ``train-tagger --vectors PATH`` loads it
into the span model's vocab, and its tok2vec reads it (``MultiHashEmbed`` with
``include_static_vectors``); the saved model carries the table.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

import numpy
import spacy
from scipy import sparse
from spacy.vectors import Vectors

from nlp_review.errors import ConfigError, NotFoundError

DEFAULT_ROWS = 20000
DEFAULT_DIMS = 64
DEFAULT_WINDOW = 4
DEFAULT_MIN_COUNT = 3
CONTEXT_ALPHA = 0.75


def tokenise(texts: Iterable[str], batch_size: int = 256) -> Iterator[list[str]]:
    """Each text as its lower-cased tokens (the span model's tokenizer: blank English),
    whitespace tokens left out."""
    tokenizer = spacy.blank("en").tokenizer
    for doc in tokenizer.pipe(texts, batch_size=batch_size):
        yield [t.lower_ for t in doc if not t.is_space]


def choose_words(token_lists: Iterable[list[str]], rows: int = DEFAULT_ROWS,
                 min_count: int = DEFAULT_MIN_COUNT) -> list[str]:
    """The ``rows`` commonest tokens seen at least ``min_count`` times (ties by the token,
    so the choice does not depend on the order of the texts)."""
    counts = Counter(t for tokens in token_lists for t in tokens)
    ranked = sorted((w for w, n in counts.items() if n >= min_count),
                    key=lambda w: (-counts[w], w))
    return ranked[:rows]


def cooccurrence(token_lists: Iterable[list[str]], words: list[str],
                 window: int = DEFAULT_WINDOW) -> sparse.csr_matrix:
    """Symmetric word-context counts among ``words``: a pair ``d`` tokens apart in one text
    (``d <= window``) counts ``1 / d``; tokens not among ``words`` keep their place (they
    count in the distance) but pair with nothing."""
    index = {w: i for i, w in enumerate(words)}
    gap = numpy.full(window, -1, dtype=numpy.int64)  # texts never pair across their ends
    parts = []
    for tokens in token_lists:
        parts.append(numpy.fromiter((index.get(t, -1) for t in tokens), dtype=numpy.int64,
                                    count=len(tokens)))
        parts.append(gap)
    ids = numpy.concatenate(parts) if parts else numpy.zeros(0, dtype=numpy.int64)
    n = len(words)
    total = sparse.csr_matrix((n, n), dtype=numpy.float64)
    for d in range(1, window + 1):
        a, b = ids[:-d], ids[d:]
        keep = (a >= 0) & (b >= 0)
        a, b = a[keep], b[keep]
        weight = numpy.full(len(a), 1.0 / d)
        pairs = sparse.coo_matrix((weight, (a, b)), shape=(n, n)).tocsr()
        total = total + pairs + pairs.T
    return total.tocsr()


def ppmi(counts: sparse.csr_matrix, alpha: float = CONTEXT_ALPHA) -> sparse.csr_matrix:
    """Positive PMI of a word-context count matrix, the contexts' distribution raised to
    ``alpha`` (smoothing that keeps rare contexts from dominating)."""
    counts = counts.tocsr().astype(numpy.float64)
    counts.eliminate_zeros()
    total = counts.sum()
    if total == 0:
        return counts
    row = numpy.asarray(counts.sum(axis=1)).ravel()
    col = numpy.asarray(counts.sum(axis=0)).ravel() ** alpha
    col_p = col / col.sum()
    rows = numpy.repeat(numpy.arange(counts.shape[0]), numpy.diff(counts.indptr))
    data = (numpy.log(counts.data) - numpy.log(total) - numpy.log(row[rows] / total)
            - numpy.log(col_p[counts.indices]))
    out = sparse.csr_matrix((numpy.maximum(data, 0.0), counts.indices.copy(),
                             counts.indptr.copy()), shape=counts.shape)
    out.eliminate_zeros()
    return out


def svd_vectors(matrix: sparse.csr_matrix, dims: int = DEFAULT_DIMS,
                seed: int = 0) -> numpy.ndarray:
    """``U * sqrt(S)`` of a truncated SVD of ``matrix``, each row of unit length (rows
    that are all zero stay zero)."""
    from sklearn.decomposition import TruncatedSVD

    dims = min(dims, matrix.shape[0] - 1, matrix.shape[1] - 1)
    if dims < 1:
        raise NotFoundError("too few distinct words to build word vectors from",
                            hint="give more texts (or lower --min-count)")
    svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=7,
                       random_state=seed)
    us = svd.fit_transform(matrix)  # U * S
    vectors = us / numpy.sqrt(numpy.maximum(svd.singular_values_, 1e-12))
    norms = numpy.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / numpy.where(norms > 0, norms, 1.0)).astype(numpy.float32)


def build_vectors(texts: Iterable[str], *, rows: int = DEFAULT_ROWS, dims: int = DEFAULT_DIMS,
                  window: int = DEFAULT_WINDOW, min_count: int = DEFAULT_MIN_COUNT,
                  seed: int = 0) -> tuple[list[str], numpy.ndarray, dict]:
    """Words, their vectors (one row each) and the build figures for ``texts``."""
    token_lists = list(tokenise(texts))
    words = choose_words(token_lists, rows, min_count)
    if len(words) < 2:
        raise NotFoundError(f"{len(words)} word(s) seen {min_count}+ times: too few to build "
                            "word vectors from", hint="give more texts (or lower --min-count)")
    matrix = ppmi(cooccurrence(token_lists, words, window))
    table = svd_vectors(matrix, dims, seed)
    n_tokens = sum(len(t) for t in token_lists)
    known = set(words)
    covered = sum(1 for tokens in token_lists for t in tokens if t in known)
    info = {"texts": len(token_lists), "tokens": n_tokens, "rows": len(words),
            "dims": int(table.shape[1]), "window": window, "min_count": min_count,
            "context_alpha": CONTEXT_ALPHA, "seed": seed,
            "token_coverage": round(covered / n_tokens, 4) if n_tokens else 0.0,
            "method": "PPMI (context smoothing 0.75, 1/distance window) + truncated SVD, "
                      "U*sqrt(S), unit rows", "keys": "lower-cased, title and upper case forms"}
    return words, table, info


def to_spacy_vectors(nlp: spacy.language.Language, words: list[str],
                     table: numpy.ndarray) -> Vectors:
    """The table as ``nlp``'s vectors: a row per word, reached by the word and its
    title-case and upper-case forms."""
    strings = nlp.vocab.strings
    vectors = Vectors(strings=strings, data=numpy.ascontiguousarray(table),
                      keys=[strings.add(w) for w in words], name="nlp_review_in_domain")
    for row, word in enumerate(words):
        for form in {word.title(), word.upper(), word.capitalize()} - {word}:
            vectors.add(strings.add(form), row=row)
    nlp.vocab.vectors = vectors
    return vectors


def save_vectors(out: Path, words: list[str], table: numpy.ndarray, info: dict) -> None:
    """A blank English pipeline holding the table in its vocab, with the build figures in
    its meta.json (``nlp_review_vectors``)."""
    nlp = spacy.blank("en")
    to_spacy_vectors(nlp, words, table)
    nlp.meta["name"] = "nlp_review_vectors"
    nlp.meta["nlp_review_vectors"] = info
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)


def load_vectors(path: Path) -> Vectors:
    """The vectors table of a saved spaCy pipeline folder (one ``save_vectors`` wrote, or a
    span model trained with vectors)."""
    path = Path(path)
    if not (path / "meta.json").is_file() or not (path / "vocab").is_dir():
        raise ConfigError(f"{path} is not a saved spaCy pipeline with word vectors",
                          hint="build one: python benchmarks/tagger_training/vectors.py "
                               "--out DIR")
    nlp = spacy.load(path)
    vectors = nlp.vocab.vectors
    if vectors.shape[0] == 0 or vectors.shape[1] == 0:
        raise ConfigError(f"{path} holds no word vectors",
                          hint="build them: python benchmarks/tagger_training/vectors.py "
                               "--out DIR")
    return vectors

