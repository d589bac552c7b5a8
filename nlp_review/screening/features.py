"""Feature extractors: turn work texts (title + abstract) into a sparse matrix, once per
dataset. Each is a scikit-learn style transformer picked by name from the registry."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from nlp_review.errors import NlpReviewError


class Tfidf(BaseEstimator, TransformerMixin):
    """TF-IDF over title + abstract: word n-grams (default 1-2), sublinear tf, l2 rows.

    ``min_df``/``max_df`` prune rare and ubiquitous terms; English stop words are kept by
    default (as in ASReview's ELAS models), set ``stop_words="english"`` to drop them."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), sublinear_tf: bool = True,
                 min_df: int | float = 1, max_df: int | float = 1.0,
                 stop_words: str | None = None, max_features: int | None = None) -> None:
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.max_df = max_df
        self.stop_words = stop_words
        self.max_features = max_features

    def _vectorizer(self, min_df: int | float | None = None,
                    max_df: int | float | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(ngram_range=tuple(self.ngram_range), sublinear_tf=self.sublinear_tf,
                               min_df=self.min_df if min_df is None else min_df,
                               max_df=self.max_df if max_df is None else max_df,
                               stop_words=self.stop_words, max_features=self.max_features,
                               dtype=np.float32)

    def fit(self, texts: Sequence[str], y: object = None) -> "Tfidf":
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: object = None) -> sp.csr_matrix:
        self.vectorizer_ = self._vectorizer()
        try:
            return self._fit_transform(texts)
        except ValueError as exc:
            # a project of a handful of works: max_df (a share of the works) can fall below
            # min_df, or prune every term; pruning makes no sense there, so none is done
            if "max_df" not in str(exc) and "pruning" not in str(exc):
                raise
        self.vectorizer_ = self._vectorizer(min_df=1, max_df=1.0)
        return self._fit_transform(texts)

    def _fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        try:
            return self.vectorizer_.fit_transform(texts).tocsr()
        except ValueError as exc:
            if "empty vocabulary" not in str(exc):
                raise
            raise NlpReviewError("the records have no words to rank them by (titles and "
                                 "abstracts are empty or hold only stop words)",
                                 hint="import records with titles or abstracts") from None

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.transform(texts).tocsr()

    def vocabulary(self) -> list[str]:
        check_is_fitted(self, "vectorizer_")
        return list(self.vectorizer_.get_feature_names_out())


class TfidfWordChar(BaseEstimator, TransformerMixin):
    """Word 1-2 gram TF-IDF stacked with character 3-5 gram TF-IDF (within word bounds),
    each block l2-normalised and weighted, rows renormalised. Catches spelling variants
    and morphology that word n-grams miss."""

    def __init__(self, char_weight: float = 0.5, min_df: int | float = 2) -> None:
        self.char_weight = char_weight
        self.min_df = min_df

    def fit(self, texts: Sequence[str], y: object = None) -> "TfidfWordChar":
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: object = None) -> sp.csr_matrix:
        self.word_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
        self.char_ = _char_tfidf(self.min_df)
        return _stack([self.word_.fit_transform(texts),
                       self.char_.fit_transform(texts) * self.char_weight])

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        check_is_fitted(self, ["word_", "char_"])
        return _stack([self.word_.transform(texts), self.char_.transform(texts) * self.char_weight])


def _char_tfidf(min_df: int | float) -> TfidfVectorizer:
    """Character 3-5 gram TF-IDF within word bounds (the char block of the stacked extractors)."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                           min_df=min_df, dtype=np.float32)


def _stack(blocks: list[sp.spmatrix]) -> sp.csr_matrix:
    """Weighted blocks side by side, rows l2-normalised again."""
    X = sp.hstack(blocks, format="csr", dtype=np.float32)
    return normalize(X).astype(np.float32)


class HashedTfidf(BaseEstimator, TransformerMixin):
    """TF-IDF like ``Tfidf`` but with hashed n-grams (no vocabulary to build and sort), so
    it vectorises large projects several times faster. ``max_df`` drops hashed columns in
    more than that share of documents; ``n_features`` (2**21) keeps collisions rare."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), sublinear_tf: bool = True,
                 max_df: float = 1.0, n_features: int = 2**21,
                 stop_words: str | None = None) -> None:
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.max_df = max_df
        self.n_features = n_features
        self.stop_words = stop_words

    def _hasher(self):
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(ngram_range=tuple(self.ngram_range), n_features=self.n_features,
                                 alternate_sign=False, norm=None, stop_words=self.stop_words,
                                 dtype=np.float32)

    def fit(self, texts: Sequence[str], y: object = None) -> "HashedTfidf":
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: object = None) -> sp.csr_matrix:
        from sklearn.feature_extraction.text import TfidfTransformer

        counts = self._hasher().transform(texts).tocsr()
        df = np.bincount(counts.indices, minlength=self.n_features)
        keep = df <= self.max_df * counts.shape[0]
        self.keep_ = keep
        counts = self._mask(counts)
        self.tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(counts)
        return self.tfidf_.transform(counts).astype(np.float32).tocsr()

    def _mask(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        if self.keep_.all():
            return counts
        counts = counts.multiply(self.keep_[None, :].astype(np.float32)).tocsr()
        counts.eliminate_zeros()
        return counts

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        check_is_fitted(self, "tfidf_")
        counts = self._mask(self._hasher().transform(texts).tocsr())
        return self.tfidf_.transform(counts).astype(np.float32).tocsr()


def split_title(text: str) -> tuple[str, str]:
    """(title, abstract) of a work text built as ``title + "\\n\\n" + abstract`` (how the
    store and the simulation join them); a text without that break has no title part."""
    title, sep, abstract = text.partition("\n\n")
    return (title, abstract) if sep else ("", text)


class TfidfTitle(BaseEstimator, TransformerMixin):
    """Word TF-IDF over title + abstract (as ``Tfidf``) stacked with a word TF-IDF block
    over the title alone, weighted ``title_weight``, and optionally a character n-gram
    block (``char_weight`` > 0: char_wb 3-5 grams over title + abstract); each block is
    l2-normalised before weighting and the stacked rows are l2-normalised again.

    Title words then count twice (a title states what a study is about; abstracts dilute
    it). The title is the text before the first blank line (see ``split_title``)."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), sublinear_tf: bool = True,
                 min_df: int | float = 1, max_df: int | float = 1.0,
                 stop_words: str | None = None, title_weight: float = 0.5,
                 char_weight: float = 0.0, char_min_df: int | float = 2) -> None:
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.max_df = max_df
        self.stop_words = stop_words
        self.title_weight = title_weight
        self.char_weight = char_weight
        self.char_min_df = char_min_df

    def _word(self, min_df: int | float, max_df: int | float) -> Tfidf:
        return Tfidf(ngram_range=self.ngram_range, sublinear_tf=self.sublinear_tf,
                     min_df=min_df, max_df=max_df, stop_words=self.stop_words)

    def fit(self, texts: Sequence[str], y: object = None) -> "TfidfTitle":
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: object = None) -> sp.csr_matrix:
        texts = list(texts)
        titles = [split_title(t)[0] for t in texts]
        self.text_ = self._word(self.min_df, self.max_df)
        blocks = [self.text_.fit_transform(texts)]
        self.title_ = None
        if self.title_weight > 0 and any(t.strip() for t in titles):
            self.title_ = self._word(1, 1.0)
            try:
                blocks.append(self.title_.fit_transform(titles) * self.title_weight)
            except ValueError:  # titles without a single word
                self.title_ = None
        self.char_ = None
        if self.char_weight > 0:
            self.char_ = _char_tfidf(self.char_min_df)
            blocks.append(self.char_.fit_transform(texts) * self.char_weight)
        return _stack(blocks)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        check_is_fitted(self, "text_")
        texts = list(texts)
        blocks = [self.text_.transform(texts)]
        if self.title_ is not None:
            titles = [split_title(t)[0] for t in texts]
            blocks.append(self.title_.transform(titles) * self.title_weight)
        if self.char_ is not None:
            blocks.append(self.char_.transform(texts) * self.char_weight)
        return _stack(blocks)
