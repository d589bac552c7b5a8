"""The one registry of ranking parts: feature extractors, classifiers, balancers and
queriers, each picked by name. A wrong name raises ``unknown_name`` listing valid ones."""

from __future__ import annotations

from typing import Any

from nlp_review.errors import ConfigError, unknown_name
from nlp_review.screening import balance, classifiers, ensemble, features, newton, queriers

REGISTRY: dict[str, dict[str, type]] = {
    "feature_extractor": {
        "tfidf": features.Tfidf,
        "tfidf_wordchar": features.TfidfWordChar,
        "tfidf_title": features.TfidfTitle,
        "tfidf_hashed": features.HashedTfidf,
    },
    "classifier": {
        "svm": classifiers.IncrementalSVM,
        "svm_liblinear": classifiers.SVM,
        "svm_newton": newton.NewtonSVM,
        "logistic": classifiers.Logistic,
        "nb": classifiers.NaiveBayes,
        "cnb": classifiers.ComplementNaiveBayes,
        "ensemble": ensemble.Ensemble,
    },
    "balancer": {
        "balanced": balance.Balanced,
        "class_balanced": balance.ClassBalanced,
        "none": balance.NoBalance,
    },
    "querier": {
        "max": queriers.MaxQuerier,
        "uncertainty": queriers.UncertaintyQuerier,
        "mixed": queriers.MixedQuerier,
        "random": queriers.RandomQuerier,
    },
}


def names(kind: str) -> list[str]:
    if kind not in REGISTRY:
        raise unknown_name("model kind", kind, list(REGISTRY))
    return sorted(REGISTRY[kind])


def make(kind: str, name: str, params: dict[str, Any] | None = None) -> Any:
    """Build the ``kind`` part called ``name`` with ``params``."""
    if name not in REGISTRY.get(kind, {}):
        raise unknown_name(kind.replace("_", " "), name, names(kind))
    cls = REGISTRY[kind][name]
    params = dict(params or {})
    valid = set(cls().get_params())
    bad = sorted(set(params) - valid)
    if bad:
        raise ConfigError(f"{kind} {name!r} has no parameter(s) {', '.join(bad)}",
                          hint=f"valid parameters: {', '.join(sorted(valid)) or 'none'}")
    if "ngram_range" in params:
        params["ngram_range"] = tuple(params["ngram_range"])
    part = cls(**params)
    if hasattr(part, "validate"):  # parts made of parts (an ensemble) check them now
        part.validate()
    return part
