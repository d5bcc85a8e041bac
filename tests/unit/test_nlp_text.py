"""Cutting and weighing message text: the segmenter keeps the model's words, the features are what
scikit-learn's TfidfVectorizer computes, and scoring counts like scikit-learn's metrics."""

from __future__ import annotations

import numpy as np
import pytest

from govgrid.nlp.evaluation import score
from govgrid.nlp.features import Featuriser, char_grams
from govgrid.nlp.segment import Segmenter, stop_words, training_tokens


def test_the_segmenter_takes_the_longest_known_word_and_drops_the_rest():
    cut = Segmenter(["小区", "小区电梯", "电梯", "停运", "经常"])
    assert cut("我们小区电梯经常停运！") == ["小区电梯", "经常", "停运"]


def test_the_segmenter_stops_at_its_limit():
    cut = Segmenter(["垃圾"])
    assert cut("垃圾垃圾垃圾垃圾", limit=2) == ["垃圾", "垃圾"]


def test_raw_training_text_loses_stop_words_and_punctuation_like_the_training_file():
    words = training_tokens("我们的小区电梯经常停运，物业也不维修！")
    assert "电梯" in words and "物业" in words
    assert not {"我们", "的", "，", "！"} & set(words)
    assert "的" in stop_words()


def test_character_grams_are_the_1_2_and_3_grams_of_the_words_joined_by_spaces():
    assert char_grams(["小区", "电梯"]) == [
        *"小区 电梯",
        "小区", "区 ", " 电", "电梯",
        "小区 ", "区 电", " 电梯",
    ]  # fmt: skip


def test_the_features_equal_scikit_learns_tfidf_blocks():
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [["电梯", "停运", "电梯"], ["水箱", "异味"], ["电梯", "水箱", "维修"], ["维修", "停运"]]
    ours = Featuriser.fit(docs).transform(docs).toarray()
    words = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True).fit_transform(docs).toarray()
    chars = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, lowercase=False
    ).fit_transform([" ".join(d) for d in docs])
    assert np.allclose(ours, np.hstack([words, chars.toarray()]))


def test_unknown_words_give_an_empty_row_not_an_error():
    features = Featuriser.fit([["电梯"], ["水箱"]])
    row = features.transform([["从未见过"]])
    assert row.nnz == 0 and row.shape == (1, features.width)


def test_scores_agree_with_scikit_learn():
    from sklearn.metrics import accuracy_score, f1_score

    truth = ["甲", "甲", "乙", "丙", "丙", "丙"]
    said = ["甲", "乙", "乙", "丙", "甲", "丙"]
    ours = score(truth, said, ["丙", "乙", "甲"])
    assert ours.accuracy == pytest.approx(accuracy_score(truth, said))
    assert ours.macro_f1 == pytest.approx(f1_score(truth, said, average="macro"))
    assert ours.confusion[0] == (2, 0, 1)  # 丙: two right, one taken for 甲
    assert ours.weakest.label == "甲"


def test_a_true_label_the_model_lacks_counts_as_an_error_and_is_reported():
    ours = score(["甲", "新类"], ["甲", "甲"], ["甲"])
    assert ours.accuracy == 0.5 and ours.unknown == 1
