"""The message model on the real data (../shared/data/messages): trained on train_segmented.csv only, as
`govgrid nlp train-classifier` trains it, and scored on dev_raw.csv, which is kept for reporting.

Measured 2026-12-02: dev macro-F1 0.873, 商贸旅游 0.784 the weakest class; cross-validation on the
training file 0.925. The issue's target (0.90, no class under 0.80) is not reached: the test of the
target is marked as an expected failure, strict, so that it turns red the day a model reaches it."""

from __future__ import annotations

import pytest

from govgrid.nlp import classifier
from govgrid.nlp.evaluation import Scores, score
from govgrid.nlp.messages import BODY, LABEL, SUBJECT, message_text, read_labelled, read_messages
from tests.conftest import SHARED

MESSAGES = SHARED / "data" / "messages"


@pytest.fixture(scope="module")
def model() -> classifier.Model:
    if not (MESSAGES / "train_segmented.csv").is_file():
        pytest.skip(f"参考数据 {MESSAGES} 不存在：需要 train_segmented.csv 和 dev_raw.csv")
    part = read_labelled(MESSAGES / "train_segmented.csv")
    return classifier.train(part.documents, part.labels, inputs=[part.describe()])


@pytest.fixture(scope="module")
def dev(model: classifier.Model) -> Scores:
    _, rows = read_messages(MESSAGES / "dev_raw.csv")
    said = model.predict([message_text(r[SUBJECT], r[BODY]) for r in rows])
    return score([r[LABEL] for r in rows], [p.label for p in said], model.labels)


def test_cross_validation_on_the_training_file_is_saved_with_the_model(model):
    cv = model.header["cross_validation"]
    assert cv["macro_f1"] >= 0.92
    assert set(cv["classes"]) == set(model.labels) and len(model.labels) == 7


def test_on_dev_raw_the_model_beats_the_issues_baseline(dev):
    assert dev.macro_f1 >= 0.87  # the baseline of word 1–2 + char 1–3 with a linear SVM: about 0.87
    assert dev.weakest.label == "商贸旅游" and dev.weakest.f1 >= 0.77  # the baseline's: about 0.77


@pytest.mark.xfail(
    strict=True, reason="measured 0.873 macro-F1 with 商贸旅游 at 0.784: below the issue's target"
)
def test_on_dev_raw_the_model_reaches_the_target(dev):
    assert dev.macro_f1 >= 0.90 and dev.weakest.f1 >= 0.80


def test_confidence_tells_right_from_wrong(model):
    _, rows = read_messages(MESSAGES / "dev_raw.csv")
    said = model.predict([message_text(r[SUBJECT], r[BODY]) for r in rows])
    right = [p.confidence for p, r in zip(said, rows, strict=True) if p.label == r[LABEL]]
    wrong = [p.confidence for p, r in zip(said, rows, strict=True) if p.label != r[LABEL]]
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.1
    sure = [p.label == r[LABEL] for p, r in zip(said, rows, strict=True) if p.confidence >= 0.8]
    assert sum(sure) / len(sure) >= 0.9 and len(sure) >= 0.7 * len(rows)  # the catalogue's threshold
