"""Is an extracted text layer readable? PDFs whose fonts have no Unicode map extract as
strings such as "3HQČåQtSURVW": real prose in any common European language is about a third
common function words, garbage has almost none."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W\d_]+")
MIN_TOKENS = 40
MIN_FUNCTION_WORD_SHARE = 0.06


#: The commonest short function words of English, German, French, Spanish, Italian, Dutch,
#: Portuguese and the Scandinavian languages.
FUNCTION_WORDS = frozenset("""
a an the of and or in on at to for from by with as is are was were be been it its this that
these those not no but if than then so we our they their he she his her you i which who
der die das und in zu den von mit ist des sich auf für nicht ein eine als auch es an dem
le la les de des du et en un une est pour dans que qui sur par pas au aux ce il elle sont
el los las y en por con para una es se del al lo como su más o
il di che è per non con gli della si le da sono al
de het een en van in op te dat voor met zijn niet aan er om ook als
o os as e do da dos das em um uma para com não que se na no
och att det som för med av på är den till inte
i w z na do nie się że jest o to od za po
""".split())


def _function_words() -> frozenset[str]:
    return FUNCTION_WORDS


def garbled_reason(text: str) -> str | None:
    """A reason the text looks garbled, or None when it reads as prose (or is too short to
    judge)."""
    tokens = [t.lower() for t in _TOKEN.findall(text[:50_000])]
    if len(tokens) < MIN_TOKENS:
        return None
    common = _function_words()
    share = sum(t in common for t in tokens) / len(tokens)
    if share < MIN_FUNCTION_WORD_SHARE:
        return (f"only {share:.0%} of its {len(tokens)} words are common words "
                f"(prose has 25-50%)")
    return None
