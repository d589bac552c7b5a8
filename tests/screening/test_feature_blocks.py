"""The title-weighted TF-IDF extractor (``tfidf_title``): title words count twice, an
optional character n-gram block, picked by name from the registry."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from nlp_review.errors import ConfigError
from nlp_review.screening import registry
from nlp_review.screening.features import Tfidf, TfidfTitle, split_title

TEXTS = [
    "Cetirizine in allergic rhinitis\n\nA randomised trial of an antihistamine in adults.",
    "Loratadine for urticaria\n\nWe compared two doses in a randomised trial.",
    "Hip fracture surgery outcomes\n\nA cohort of older adults after surgery for allergic pain.",
    "An abstract only, with no title part at all about rhinitis",
]


def test_split_title_uses_the_blank_line_the_store_puts_between_title_and_abstract():
    assert split_title("A title\n\nAn abstract\n\nmore") == ("A title", "An abstract\n\nmore")
    assert split_title("no break here") == ("", "no break here")


def test_picked_by_name_and_wrong_names_or_parameters_are_reported():
    part = registry.make("feature_extractor", "tfidf_title",
                         {"ngram_range": [1, 2], "title_weight": 0.5, "max_df": 0.95})
    assert isinstance(part, TfidfTitle) and part.ngram_range == (1, 2)
    with pytest.raises(ConfigError) as exc:
        registry.make("feature_extractor", "tfidf_titel")
    assert "tfidf_title" in exc.value.hint and "tfidf" in exc.value.hint
    with pytest.raises(ConfigError, match="no parameter"):
        registry.make("feature_extractor", "tfidf_title", {"title_wieght": 1})


def test_a_word_in_the_title_weighs_more_than_the_same_word_in_the_abstract():
    X = TfidfTitle(title_weight=0.5).fit_transform(TEXTS)
    plain = Tfidf().fit_transform(TEXTS)
    # Query "allergic": in record 0's title, in record 2's abstract.
    q = TfidfTitle(title_weight=0.5).fit(TEXTS).transform(["allergic\n\n"])
    q_plain = Tfidf().fit(TEXTS).transform(["allergic"])
    sim, sim_plain = (X @ q.T).toarray().ravel(), (plain @ q_plain.T).toarray().ravel()
    assert sim[0] / sim[2] > 1.5 * sim_plain[0] / sim_plain[2]
    assert np.allclose(np.sqrt(X.multiply(X).sum(axis=1)), 1.0, atol=1e-5)


def test_without_title_weight_it_is_the_plain_tfidf():
    X = TfidfTitle(title_weight=0.0).fit_transform(TEXTS)
    plain = Tfidf().fit_transform(TEXTS)
    assert X.shape == plain.shape and np.allclose(X.toarray(), plain.toarray(), atol=1e-6)


def test_character_block_links_spelling_variants():
    texts = ["Randomised trial\n\nrandomised", "Randomized trial\n\nrandomized", "Cohort\n\nbirth"]
    words = TfidfTitle(title_weight=0.0).fit_transform(texts)
    chars = TfidfTitle(title_weight=0.0, char_weight=0.5, char_min_df=1).fit_transform(texts)
    assert (chars[0] @ chars[1].T).toarray()[0, 0] > (words[0] @ words[1].T).toarray()[0, 0]
    assert (chars[0] @ chars[1].T).toarray()[0, 0] > (chars[0] @ chars[2].T).toarray()[0, 0]


def test_transform_before_fit_is_refused():
    with pytest.raises(NotFittedError):
        TfidfTitle().transform(["a text"])


def test_tfidf_with_max_df_on_a_handful_of_texts_and_on_texts_without_words():
    import pytest

    from nlp_review.errors import NlpReviewError
    from nlp_review.screening.features import Tfidf

    assert Tfidf(max_df=0.95).fit_transform(["peer support for adolescents"]).shape[0] == 1
    # every term in every text: max_df would prune them all
    assert Tfidf(max_df=0.95).fit_transform(["peer support"] * 4).shape == (4, 3)
    with pytest.raises(NlpReviewError, match="no words to rank"):
        Tfidf(max_df=0.95).fit_transform(["", "a", "?"])
