"""Duplicate groups by union-find over merged pairs, with human "different" as a veto.

Human "same" pairs are joined first, then automatic pairs from the highest score down; an
automatic pair that would put two records a human called different into one group is not
joined (it is returned so it can be listed for review instead). Groups therefore never
contain a human "different" pair, not even through a third record."""

from __future__ import annotations

from typing import Iterable, Mapping

from nlp_review.errors import NlpReviewError


class ConflictingDecisions(NlpReviewError):
    """Human "same" decisions join records that a human also called different."""


class _Groups:
    def __init__(self, ids: Iterable[int],
                 keys: Mapping[int, Iterable[tuple[str, str]]] | None = None) -> None:
        self.parent: dict[int, int] = {i: i for i in ids}
        self.cannot: dict[int, set[int]] = {}
        self.keys: dict[int, dict[str, set[str]]] = {}
        for i, pairs in (keys or {}).items():
            if i in self.parent:
                for kind, value in pairs:
                    self.keys.setdefault(i, {}).setdefault(kind, set()).add(value)

    def keys_compatible(self, ra: int, rb: int) -> bool:
        """False when both groups carry identifiers of one kind and share none of them."""
        ka, kb = self.keys.get(ra), self.keys.get(rb)
        if not ka or not kb:
            return True
        return all(not (kind in kb) or bool(values & kb[kind]) for kind, values in ka.items())

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def forbid(self, a: int, b: int) -> None:
        self.cannot.setdefault(self.find(a), set()).add(b)
        self.cannot.setdefault(self.find(b), set()).add(a)

    def allowed(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        small, other = (ra, rb) if len(self.cannot.get(ra, ())) <= len(
            self.cannot.get(rb, ())) else (rb, ra)
        return all(self.find(x) != other for x in self.cannot.get(small, ()))

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if ra > rb:
            ra, rb = rb, ra
        self.parent[rb] = ra
        moved = self.cannot.pop(rb, None)
        if moved:
            self.cannot.setdefault(ra, set()).update(moved)
        moved_keys = self.keys.pop(rb, None)
        if moved_keys:
            mine = self.keys.setdefault(ra, {})
            for kind, values in moved_keys.items():
                mine.setdefault(kind, set()).update(values)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in self.parent:
            out.setdefault(self.find(i), []).append(i)
        return sorted((sorted(g) for g in out.values()), key=lambda g: g[0])


def build_groups(
    ids: Iterable[int],
    auto_pairs: Iterable[tuple[int, int, float]],
    known: Mapping[tuple[int, int], str],
    keys: Mapping[int, Iterable[tuple[str, str]]] | None = None,
) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """(groups over all ``ids``, automatic pairs not joined).

    ``auto_pairs`` are (a, b, score); ``known`` maps (a, b) to "same" or "different".
    ``keys`` gives each id its identifiers, e.g. {("pmid", "123"), ("doi", "10.1/x")}: an
    automatic pair is not joined when its two groups both carry identifiers of one kind and
    share none (A ~ C ~ B chains between two different PMIDs). Humans' "same" overrides it.
    Raises ConflictingDecisions if the human decisions contradict each other."""
    g = _Groups(ids, keys)
    different = [(a, b) for (a, b), v in known.items() if v == "different"
                 and a in g.parent and b in g.parent]
    for (a, b), verdict in sorted(known.items()):
        if verdict == "same" and a in g.parent and b in g.parent:
            g.union(a, b)
    bad = [(a, b) for a, b in different if g.find(a) == g.find(b)]
    if bad:
        listed = ", ".join(f"{a}-{b}" for a, b in bad[:10])
        raise ConflictingDecisions(
            f"human 'same' decisions join records also marked 'different': {listed}",
            hint="change one of the decisions on these records, then run dedupe again")
    for a, b in different:
        g.forbid(a, b)
    vetoed: list[tuple[int, int]] = []
    for a, b, _score in sorted(auto_pairs, key=lambda p: (-p[2], p[0], p[1])):
        if g.find(a) == g.find(b):
            continue
        if g.allowed(a, b) and g.keys_compatible(g.find(a), g.find(b)):
            g.union(a, b)
        else:
            vetoed.append((a, b))
    return g.groups(), vetoed
