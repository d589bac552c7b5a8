"""Stopping rules for prioritised screening: when is it safe to stop, and what recall has
been reached? Rules are scikit-learn style estimators picked by name (``make_rule``)."""

from nlp_review.stopping.base import StopDecision, StoppingRule
from nlp_review.stopping.counting import CountingProcess
from nlp_review.stopping.estimate import RelevantEstimate, estimate_relevant
from nlp_review.stopping.registry import DEFAULT_RULES, RULES, make_rule, rule_names
from nlp_review.stopping.rules import ConsecutiveIrrelevant, KneeMethod, StatisticalStop

__all__ = [
    "ConsecutiveIrrelevant", "CountingProcess", "DEFAULT_RULES", "KneeMethod", "RULES",
    "RelevantEstimate", "StatisticalStop", "StopDecision", "StoppingRule",
    "estimate_relevant", "make_rule", "rule_names",
]
