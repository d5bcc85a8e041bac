"""热点问题挖掘: citizens' messages about the same problem at the same place, grouped, with a heat score.

Each message is cut into words (TF-IDF over subject and body, the subject counted twice) and its places are
read (小区, 花园, 新城, 苑, 学校 … names; the anonymised "A市A2区" prefixes dropped; a name inside a longer
one is the same place: 滨河苑 → 伊景园滨河苑). Two messages are one problem when they name the same place
and talk alike, or talk very alike wherever they are; reposts by the same person are folded. Groups are
connected components within a time window; a group in which no message names a place is not a hotspot. The heat formula and its weights are data (catalog/hotspots.yaml)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from govgrid.nlp.features import Featuriser
from govgrid.nlp.segment import training_tokens

_PLACE = re.compile(r"[\u4e00-\u9fa5]{2,10}(?:小区|花园|新城|家园|新村|公寓|大厦|广场|苑|庭|湾|城|园)")
MAX_FOLDED = 3000  # reposts are looked for in hotspots up to this size (a k × k comparison)
_ANONYMISED = re.compile(r"[A-Z]\d*(?:市|区|县)")
_SUFFIX = re.compile(r"小区|花园|新城|家园|新村|公寓|大厦|广场|苑|庭|湾|城|园")
_LEAD = re.compile(  # words before a place's name: verbs, prepositions, its street or town
    r"^(?:(?:投诉|关于|反映|举报|咨询|请问|建议|位于|希望|要求|强烈|坚决|反对|从|在|对|到|的|和|与|及|给)+"
    r"|[\u4e00-\u9fa5]{2,4}?(?:街道|镇|乡|社区|[东西南北中]?路|大道|街)|.*?的|.*?片区)+"
)
_NOT_PLACE = re.compile(
    r"街道|社区|政府|市委|恳请|请问|建议|投诉|关于|反映|举报|咨询|希望|要求|为什么|如何|能否|是否|幼儿园|公园|校园|配套|附近|周边|[一二三四]期|物业"
)
_GENERIC = re.compile(
    r"^(?:我们|我家|我们小区|这个|该|本|附近|周边|市区|城区|小区|全市|老城|新城|公园|校园|家园|花园|庭|学校)"
)


@dataclass(frozen=True)
class Message:
    id: str
    user: str
    subject: str
    body: str
    at: datetime
    likes: int = 0
    against: int = 0


@dataclass(frozen=True)
class HeatRules:
    same_place_similarity: float = 0.12
    same_text_similarity: float = 0.6
    repost_similarity: float = 0.9
    window_days: int = 180
    min_messages: int = 3
    weights: dict[str, float] = field(
        default_factory=lambda: {
            "messages": 0.5,
            "people": 2.0,
            "support": 0.5,
            "concentration": 2.0,
            "recency": 2.0,
        }
    )
    explain: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # each term's Chinese name
    concentration_days: int = 30
    recency_days: int = 90


@dataclass(frozen=True)
class Hotspot:
    title: str
    place: str
    start: datetime
    end: datetime
    score: float
    members: tuple[str, ...]  # message ids, most representative first (reposts folded away)
    people: int
    reposts: int
    terms: dict[str, float]  # each term of the heat formula, before its weight

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "place": self.place,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "score": round(self.score, 4),
            "members": list(self.members),
            "messages": len(self.members),
            "people": self.people,
            "reposts": self.reposts,
            "terms": {k: round(v, 4) for k, v in self.terms.items()},
        }


def places_of(text: str) -> set[str]:
    """The place names a message gives (without the anonymised city and district prefixes)."""
    found = set()
    for m in _PLACE.finditer(_ANONYMISED.sub(" ", text)):
        span = m.group(0)
        ends = sorted({e.end() for e in _SUFFIX.finditer(span)}, reverse=True)
        for end in ends:  # the longest reading that is a name: 山水湾小区幼儿园 → 山水湾小区
            name = _LEAD.sub("", span[:end])
            if len(name) >= 3 and not _GENERIC.match(name) and not _NOT_PLACE.search(name):
                found.add(name)
                break
    return found


def _canonical(counts: Counter[str]) -> dict[str, str]:
    """Each place → the most mentioned place that contains it (滨河苑 → 伊景园滨河苑), else itself."""
    names = sorted(counts, key=lambda n: (-counts[n], n))
    out = {}
    for name in names:
        holders = [n for n in names if name != n and name in n and counts[n] >= 2]
        out[name] = max(holders, key=lambda n: (counts[n], n)) if holders else name
    return out


@lru_cache(maxsize=100_000)
def _words(text: str) -> list[str]:
    """A message's words, kept: the page, the worker and the next request cut each text once (jieba)."""
    return training_tokens(text)


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def find_hotspots(
    messages: Sequence[Message], rules: HeatRules = HeatRules(), top: int | None = None
) -> list[Hotspot]:
    """The hotspots among `messages`, hottest first."""
    if not messages:
        return []
    docs = [_words(f"{m.subject} {m.subject} {m.body[:400]}") for m in messages]
    featuriser = Featuriser.fit(docs)
    matrix = sparse.csr_matrix(featuriser.transform(docs)[:, : len(featuriser.words)])  # words: unit rows
    counts: Counter[str] = Counter()
    named = []
    for m in messages:
        names = places_of(m.subject) | places_of(m.body[:400])
        named.append(names)
        counts.update(names)
    canon = _canonical(counts)
    places = [{canon[n] for n in names} for names in named]
    groups = _Groups(len(messages))
    window = timedelta(days=rules.window_days)
    by_place: dict[str, list[int]] = {}
    for i, names in enumerate(places):
        for name in names:
            by_place.setdefault(name, []).append(i)
    for rows in by_place.values():
        if len(rows) > 1:
            _link(groups, matrix, rows, rows, rules.same_place_similarity, messages, window)
    everyone = list(range(len(messages)))
    for start in range(0, len(messages), 2000):
        _link(
            groups,
            matrix,
            everyone[start : start + 2000],
            everyone,
            rules.same_text_similarity,
            messages,
            window,
            places,
        )
    members: dict[int, list[int]] = {}
    for i in everyone:
        members.setdefault(groups.find(i), []).append(i)
    reference = max(m.at for m in messages)
    candidates = (
        _hotspot(rows, messages, matrix, places, rules, reference)
        for rows in members.values()
        if len(rows) >= rules.min_messages
    )
    found = [h for h in candidates if h is not None]
    found.sort(key=lambda h: (-h.score, h.start, h.title))
    return found[:top] if top else found


def _link(groups: _Groups, matrix: Any, rows: list[int], cols: list[int], threshold: float,
          messages: Sequence[Message], window: timedelta, places: list[set[str]] | None = None) -> None:  # fmt: skip
    """Join the pairs alike above `threshold` within the window; with `places`, never two messages that
    name different places (the same words about two places are two problems)."""
    similar = (matrix[rows] @ matrix[cols].T).tocoo()
    close = similar.data >= threshold
    for a, b in zip(similar.row[close], similar.col[close], strict=True):
        i, j = rows[a], cols[b]
        if i >= j or abs(messages[i].at - messages[j].at) > window:
            continue
        if places is not None and places[i] and places[j] and not places[i] & places[j]:
            continue
        groups.join(i, j)


def _hotspot(rows: list[int], messages: Sequence[Message], matrix: Any, places: list[set[str]],
             rules: HeatRules, reference: datetime) -> Hotspot | None:  # fmt: skip
    centre = np.asarray(matrix[rows].mean(axis=0)).ravel()
    closeness = np.asarray(matrix[rows] @ centre).ravel()
    order = [rows[k] for k in np.argsort(-closeness, kind="stable")]
    kept: list[int] = []
    reposts = 0
    alike = (matrix[order] @ matrix[order].T).toarray() if len(order) <= MAX_FOLDED else None
    position = {i: n for n, i in enumerate(order)}
    for n, i in enumerate(order):  # a person's near-identical second message is a repost
        if alike is not None and any(
            messages[k].user == messages[i].user and alike[n, position[k]] >= rules.repost_similarity
            for k in kept
        ):
            reposts += 1
            continue
        kept.append(i)
    place_counts = Counter(p for i in kept for p in places[i])
    if len(kept) < rules.min_messages or not place_counts:
        return None  # a hotspot is a problem at a place: words alike with no place named are not one
    times = sorted(messages[i].at for i in kept)
    busiest = max(
        sum(1 for t in times if start <= t < start + timedelta(days=rules.concentration_days))
        for start in times
    )
    people = len({messages[i].user for i in kept})
    support = sum(messages[i].likes + messages[i].against for i in kept)
    terms = {
        "messages": math.log1p(len(kept)),
        "people": math.log1p(people),
        "support": math.log1p(support),
        "concentration": busiest / len(kept),
        "recency": math.exp(-(reference - times[-1]).total_seconds() / 86400 / rules.recency_days),
    }
    score = sum(rules.weights.get(k, 0.0) * v for k, v in terms.items())
    place = place_counts.most_common(1)[0][0]
    return Hotspot(
        title=messages[kept[0]].subject.strip(),
        place=place,
        start=times[0],
        end=times[-1],
        score=score,
        members=tuple(messages[i].id for i in kept),
        people=people,
        reposts=reposts,
        terms=terms,
    )
