"""The 12345 category model: a linear SVM over `features`, calibrated to a confidence, saved as one
versioned .npz file (arrays and a JSON header; loaded without pickle, so a model file cannot run code).

Training does grouped 5-fold cross-validation first (messages that open with the same words, such as
reposts, stay in one fold). The out-of-fold scores give the figures saved with the model and the
temperature that turns the SVM's scores into a confidence; then the model is fitted on every row."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from govgrid.nlp.evaluation import Scores, score
from govgrid.nlp.features import Featuriser
from govgrid.nlp.segment import Segmenter

FORMAT = "govgrid-message-classifier"
VERSION = 1
SVM_C = 0.5  # chosen by cross-validation (docs/intelligence.md)
FOLDS = 5
MAX_WORDS = 300  # a message is read up to its 150th known word: cross-validation found no loss, and a
# long letter costs no more than an ordinary one
GROUP_WORDS = 6  # messages opening with the same six words are one group in cross-validation


class ModelFileError(ValueError):
    """A model file that is missing, of another format or version, or damaged."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # 0–1: the calibrated probability of `label`
    ranking: tuple[tuple[str, float], ...]  # every label with its probability, best first


@dataclass
class Model:
    labels: tuple[str, ...]
    featuriser: Featuriser
    coef: np.ndarray  # labels × features
    intercept: np.ndarray
    temperature: float
    header: dict[str, Any] = field(default_factory=dict)
    _segmenter: Segmenter | None = None

    @property
    def version(self) -> str:
        return str(self.header.get("model_id", ""))

    def segment(self, text: str) -> list[str]:
        if self._segmenter is None:
            self._segmenter = Segmenter(self.featuriser.words)
        return self._segmenter(text, MAX_WORDS)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Raw texts (subject and body joined) → a prediction each."""
        return self.predict_tokens([self.segment(t) for t in texts])

    def predict_tokens(self, documents: Sequence[Sequence[str]]) -> list[Prediction]:
        if not documents:
            return []
        scores = self.featuriser.transform(documents) @ self.coef.T + self.intercept
        probabilities = _softmax(np.asarray(scores) / self.temperature)
        out = []
        for row in probabilities:
            order = np.argsort(-row)
            ranking = tuple((self.labels[i], float(row[i])) for i in order)
            out.append(Prediction(ranking[0][0], ranking[0][1], ranking))
        return out

    def save(self, path: Path) -> None:
        f = self.featuriser
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        with temporary.open("wb") as out:
            np.savez_compressed(
                out,
                header=np.array(json.dumps(self.header, ensure_ascii=False)),
                labels=np.array(self.labels),
                words=np.array(sorted(f.words, key=f.words.__getitem__)),
                word_idf=f.word_idf,
                chars=np.array(sorted(f.chars, key=f.chars.__getitem__)),
                char_idf=f.char_idf,
                coef=self.coef.astype(np.float32),
                intercept=self.intercept,
                temperature=np.array(self.temperature),
            )
        temporary.replace(path)  # a reader never sees half a file


def load(path: Path) -> Model:
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("format") != FORMAT or header.get("version") != VERSION:
                raise ModelFileError(
                    f"{path} 不是本版本的留言分类模型（format={header.get('format')}, "
                    f"version={header.get('version')}，需要 {FORMAT} v{VERSION}）：请用 "
                    "govgrid nlp train-classifier 重新训练"
                )
            words, chars = [str(w) for w in data["words"]], [str(c) for c in data["chars"]]
            featuriser = Featuriser(
                {w: i for i, w in enumerate(words)},
                data["word_idf"],
                {c: i for i, c in enumerate(chars)},
                data["char_idf"],
            )
            return Model(
                tuple(str(x) for x in data["labels"]),
                featuriser,
                data["coef"].astype(np.float64),
                data["intercept"],
                float(data["temperature"]),
                header,
            )
    except FileNotFoundError:
        raise ModelFileError(f"模型文件 {path} 不存在：请先运行 govgrid nlp train-classifier") from None
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"模型文件 {path} 无法读取（{exc}）：请重新训练") from None


def train(
    documents: Sequence[Sequence[str]], labels: Sequence[str], *, inputs: list[dict[str, Any]]
) -> Model:
    """Fit on tokenised documents; `inputs` (file names, rows, hashes) goes into the header."""
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.svm import LinearSVC

    if len(set(labels)) < 2:
        raise ValueError("训练数据至少要有两个类别")
    y = np.array(labels)
    documents = [d[:MAX_WORDS] for d in documents]
    featuriser = Featuriser.fit(documents)
    matrix = featuriser.transform(documents)
    classes = tuple(sorted(set(labels)))
    groups = [" ".join(d[:GROUP_WORDS]) for d in documents]
    folds = min(FOLDS, int(min(np.sum(y == c) for c in classes)), len(set(groups)))
    out_of_fold = np.zeros((len(y), len(classes)))
    if folds >= 2:
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=0)
        for fit_rows, held_rows in list(splitter.split(matrix, y, groups)):
            svm = LinearSVC(C=SVM_C, class_weight="balanced").fit(matrix[fit_rows], y[fit_rows])
            out_of_fold[held_rows] = _columns(svm.decision_function(matrix[held_rows]), svm.classes_, classes)
    svm = LinearSVC(C=SVM_C, class_weight="balanced").fit(matrix, y)
    coef, intercept = _weights(svm, classes)
    temperature = _temperature(out_of_fold, y, classes) if folds >= 2 else 1.0
    cv: Scores | None = None
    if folds >= 2:
        cv = score(list(y), [classes[i] for i in out_of_fold.argmax(axis=1)], classes)
    trained_at = datetime.now(UTC).isoformat(timespec="seconds")
    data_hash = _combined_hash(inputs)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "model_id": f"{trained_at[:10]}-{data_hash[:8]}",
        "trained_at": trained_at,
        "data_sha256": data_hash,
        "inputs": inputs,
        "examples": len(y),
        "labels": list(classes),
        "method": f"word 1-gram + char 1-3-gram TF-IDF, LinearSVC C={SVM_C} balanced, softmax temperature",
        "features": featuriser.width,
        "cross_validation": cv.as_dict() if cv else None,
        "cv_folds": folds,
    }
    return Model(classes, featuriser, coef, intercept, temperature, header)


def _columns(decision: np.ndarray, have: np.ndarray, classes: tuple[str, ...]) -> np.ndarray:
    """A fold's scores, arranged by `classes` (a binary SVM gives one column: ±score)."""
    decision = np.asarray(decision)
    if decision.ndim == 1:
        decision = np.column_stack([-decision, decision])
    out = np.full((decision.shape[0], len(classes)), -1e3)
    for j, c in enumerate(have):
        out[:, classes.index(str(c))] = decision[:, j]
    return out


def _weights(svm: Any, classes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    coef, intercept = np.asarray(svm.coef_), np.asarray(svm.intercept_)
    if len(classes) == 2:  # one separating plane: the first class is its negative side
        coef, intercept = np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
    return coef, intercept


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _temperature(scores: np.ndarray, y: np.ndarray, classes: tuple[str, ...]) -> float:
    """The temperature that minimises the log-loss of the out-of-fold scores (a one-parameter calibration)."""
    from scipy.optimize import minimize_scalar

    truth = np.array([classes.index(v) for v in y])

    def loss(log_t: float) -> float:
        p = _softmax(scores / np.exp(log_t))
        return float(-np.mean(np.log(p[np.arange(len(truth)), truth] + 1e-12)))

    return float(np.exp(minimize_scalar(loss, bounds=(-5.0, 3.0), method="bounded").x))


def _combined_hash(inputs: list[dict[str, Any]]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for item in inputs:
        digest.update(str(item.get("sha256", "")).encode())
    return digest.hexdigest()
