"""Training the message model from files (the command `govgrid nlp train-classifier` and the demo both
train through here): every file read and checked first, then one model over all their rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from govgrid.nlp import classifier
from govgrid.nlp.messages import read_labelled

TRAINING_FILE = "data/messages/train_segmented.csv"  # in the shared reference data


def train_from_files(paths: Sequence[Path], say: Callable[[str], None] = lambda _: None) -> classifier.Model:
    """A model over every row of `paths` (MessageFileError names a bad file, row or column)."""
    documents: list[list[str]] = []
    labels: list[str] = []
    described = []
    for path in paths:
        part = read_labelled(path)
        say(f"读入 {path}：{len(part.labels)} 条（{'已分词' if part.kind == 'segmented' else '原始留言'}）")
        documents += part.documents
        labels += part.labels
        described.append(part.describe())
    return classifier.train(documents, labels, inputs=described)
