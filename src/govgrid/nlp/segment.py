"""Cutting Chinese text into words.

The training file was cut by jieba with stop words removed. Raw training rows are cut the same way
(`training_tokens`). At prediction time the model's own vocabulary is the dictionary: forward maximum
matching over it (`Segmenter`) keeps exactly the words the model knows, which drops stop words and
punctuation as the training file did, and runs several times faster than jieba (measured by
`govgrid bench classify`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

MAX_WORD = 8  # the longest word matched; longer vocabulary entries are rare names and never win anyway
_SKIP = re.compile(r"^[\W_]+$")  # punctuation, spaces and symbols only


class Segmenter:
    """Forward maximum matching over a fixed vocabulary; characters outside every word are dropped."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.words = frozenset(w for w in vocabulary if w and len(w) <= MAX_WORD)
        longest: dict[str, int] = {}
        for w in self.words:
            longest[w[0]] = max(longest.get(w[0], 0), len(w))
        self.longest = longest  # first character → the longest word that starts with it

    def __call__(self, text: str, limit: int | None = None) -> list[str]:
        """The known words of `text` in order; at most `limit` of them (the rest is not read)."""
        words: list[str] = []
        known, longest = self.words, self.longest
        i, n, room = 0, len(text), limit if limit is not None else len(text)
        while i < n and len(words) < room:
            for k in range(min(longest.get(text[i], 0), n - i), 0, -1):
                piece = text[i : i + k]
                if piece in known:
                    words.append(piece)
                    i += k
                    break
            else:
                i += 1
        return words


@cache
def stop_words() -> frozenset[str]:
    """The shipped stop-word list (function words, pronouns, fillers), one per line."""
    text = resources.files("govgrid.nlp").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def training_tokens(text: str) -> list[str]:
    """A raw message cut as the training file was: jieba words, without stop words and punctuation."""
    stop = stop_words()
    text = unicodedata.normalize("NFC", text)
    return [w for w in _jieba().lcut(text) if w.strip() and w not in stop and not _SKIP.match(w)]
