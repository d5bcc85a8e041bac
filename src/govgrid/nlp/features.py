"""TF-IDF features of a message: its words, and the character 1–3-grams of its words joined by spaces.

Chosen by cross-validation on the training file (docs/intelligence.md): word unigrams plus character
1–3-grams beat word bigrams, character 2–4-grams and either block alone. Each block is weighted
1 + ln(tf) times a smoothed idf, then scaled to unit length on its own, as scikit-learn's TfidfVectorizer
does; the arithmetic is written here so that a saved model needs no pickle to load."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add

import numpy as np
from scipy import sparse

CHAR_SIZES = (1, 2, 3)
MIN_CHAR_DF = 2  # a character n-gram seen in one message only is noise


def char_grams(words: Sequence[str]) -> list[str]:
    """Every character 1-, 2- and 3-gram of the words joined by spaces (built with C-level maps)."""
    text = " ".join(words)
    pairs = list(map(add, text, text[1:]))
    return [*text, *pairs, *map(add, pairs, text[2:])]


@dataclass(frozen=True)
class Featuriser:
    words: dict[str, int]
    word_idf: np.ndarray
    chars: dict[str, int]
    char_idf: np.ndarray

    @property
    def width(self) -> int:
        return len(self.words) + len(self.chars)

    @classmethod
    def fit(cls, documents: Sequence[Sequence[str]]) -> Featuriser:
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        for words in documents:
            word_df.update(set(words))
            char_df.update(set(char_grams(words)))
        n = len(documents)
        word_ids = {w: i for i, w in enumerate(sorted(word_df))}
        char_ids = {g: i for i, g in enumerate(sorted(g for g, df in char_df.items() if df >= MIN_CHAR_DF))}
        return cls(word_ids, _idf(word_df, word_ids, n), char_ids, _idf(char_df, char_ids, n))

    def transform(self, documents: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """One row per document: [word block | character block], each block of unit length. The counting
        is per document; the weighting is done once for the whole batch."""
        offset = len(self.words)
        ids: list[int] = []
        counts: list[int] = []
        sizes: list[int] = []  # terms per (document, block), in order
        for words in documents:
            for block, terms, shift in ((self.words, words, 0), (self.chars, char_grams(words), offset)):
                tally = Counter(terms)
                ids.extend(map(block.get, tally, repeat(-1 - shift)))
                counts.extend(tally.values())
                sizes.append(len(tally))
        segment = np.repeat(np.arange(len(sizes)), sizes)
        column = np.array(ids, dtype=np.int64) + np.repeat(np.tile([0, offset], len(documents)), sizes)
        known = column >= np.repeat(np.tile([0, offset], len(documents)), sizes)
        column, segment = column[known], segment[known]
        idf = np.concatenate([self.word_idf, self.char_idf])
        weights = (1.0 + np.log(np.array(counts, dtype=np.float64)[known])) * idf[column]
        norms = np.sqrt(np.bincount(segment, weights * weights, minlength=len(sizes)))
        weights /= norms[segment]
        per_row = np.bincount(segment // 2, minlength=len(documents))
        indptr = np.concatenate([[0], np.cumsum(per_row)])
        return sparse.csr_matrix((weights, column, indptr), shape=(len(documents), self.width))


def _idf(df: Counter[str], vocabulary: dict[str, int], n: int) -> np.ndarray:
    idf = np.empty(len(vocabulary))
    for term, i in vocabulary.items():
        idf[i] = math.log((1 + n) / (1 + df[term])) + 1.0
    return idf
