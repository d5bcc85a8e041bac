"""The message model: trained on hand-written messages it reads new ones, its file is versioned, carries
its figures and the hash of its data, loads without pickle and is refused when it is not a model."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from govgrid.nlp import classifier
from govgrid.nlp.messages import MessageFileError, read_labelled, read_messages
from tests import nlp_samples


@pytest.fixture(scope="module")
def model(tmp_path_factory):  # type: ignore[no-untyped-def]
    return nlp_samples.small_model(tmp_path_factory.mktemp("model"))


def test_a_model_reads_messages_it_was_not_trained_on(model):
    said = model.predict(["工厂排放废气，气味刺鼻，请环保部门检测", "老板拖欠工资半年，社保也不缴纳"])
    assert [p.label for p in said] == ["环境保护", "劳动和社会保障"]


def test_confidences_are_probabilities_over_every_category(model):
    (p,) = model.predict(["超市卖过期食品，商家拒绝退款"])
    assert len(p.ranking) == 7 and p.ranking[0] == (p.label, p.confidence)
    assert sum(c for _, c in p.ranking) == pytest.approx(1.0)
    assert all(a >= b for (_, a), (_, b) in zip(p.ranking, p.ranking[1:], strict=False))


def test_a_message_of_unknown_words_gets_a_low_confidence(model):
    (p,) = model.predict(["！！！？？？"])
    assert p.confidence < 0.5


def test_the_file_carries_its_version_figures_and_data_hash(model, tmp_path):
    header = model.header
    assert header["format"] == classifier.FORMAT and header["version"] == classifier.VERSION
    assert header["examples"] == 35 and len(header["data_sha256"]) == 64
    assert header["inputs"][0]["format"] == "raw" and header["inputs"][0]["rows"] == 35
    assert 0 < header["cross_validation"]["macro_f1"] <= 1
    assert set(header["cross_validation"]["classes"]) == set(nlp_samples.MESSAGES)


def test_a_loaded_model_predicts_what_the_trained_one_did(tmp_path):
    part = read_labelled(nlp_samples.write_raw(tmp_path / "m.csv"))
    trained = classifier.train(part.documents, part.labels, inputs=[part.describe()])
    trained.save(tmp_path / "model.npz")
    loaded = classifier.load(tmp_path / "model.npz")
    texts = [f"{s} {b}" for rows in nlp_samples.MESSAGES.values() for s, b in rows]
    for a, b in zip(trained.predict(texts), loaded.predict(texts), strict=True):
        assert a.label == b.label and a.confidence == pytest.approx(b.confidence, abs=1e-5)


def test_the_model_file_holds_no_pickled_object(model, tmp_path):
    model.save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


def test_a_file_of_another_version_is_refused_with_how_to_fix_it(model, tmp_path):
    model.header = {**model.header, "version": 99}
    model.save(tmp_path / "old.npz")
    model.header = {**model.header, "version": classifier.VERSION}
    with pytest.raises(classifier.ModelFileError, match="重新训练"):
        classifier.load(tmp_path / "old.npz")


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_a_damaged_or_foreign_file_is_refused_not_crashed_on(tmp_path, content):
    (tmp_path / "bad.npz").write_bytes(content)
    with pytest.raises(classifier.ModelFileError):
        classifier.load(tmp_path / "bad.npz")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_pickled_array_in_the_file_is_refused(model, tmp_path):
    model.save(tmp_path / "model.npz")
    with zipfile.ZipFile(tmp_path / "model.npz", "a") as z, z.open("labels.npy", "w") as f:
        np.lib.format.write_array(f, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(classifier.ModelFileError):
        classifier.load(tmp_path / "model.npz")


def test_a_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(classifier.ModelFileError, match="train-classifier"):
        classifier.load(tmp_path / "none.npz")


def test_training_needs_two_categories():
    with pytest.raises(ValueError, match="两个类别"):
        classifier.train([["电梯"], ["水箱"]], ["城乡建设", "城乡建设"], inputs=[])


def test_two_categories_train_a_working_model():
    docs = [["电梯", "停运"], ["电梯", "维修"], ["废气", "排放"], ["废气", "污染"]] * 3
    model = classifier.train(docs, ["城乡建设", "城乡建设", "环境保护", "环境保护"] * 3, inputs=[])
    assert [p.label for p in model.predict_tokens([["电梯"], ["废气"]])] == ["城乡建设", "环境保护"]


def test_a_training_file_with_an_empty_label_names_the_row(tmp_path):
    items = nlp_samples.rows()
    items[3]["一级标签"] = ""
    with pytest.raises(MessageFileError, match="第 5 行：一级标签 为空"):
        read_labelled(nlp_samples.write_raw(tmp_path / "m.csv", items))


def test_a_file_of_neither_format_names_the_columns_it_needs(tmp_path):
    (tmp_path / "x.csv").write_text("标题,内容\n甲,乙\n", encoding="utf-8")
    with pytest.raises(MessageFileError, match="text_segmented"):
        read_labelled(tmp_path / "x.csv")
    with pytest.raises(MessageFileError, match="缺少列：留言主题、留言详情"):
        read_messages(tmp_path / "x.csv")


def test_a_file_that_is_not_utf8_is_refused_clearly(tmp_path):
    (tmp_path / "gbk.csv").write_bytes("留言主题,留言详情,一级标签\n电梯,坏了,城乡建设\n".encode("gbk"))
    with pytest.raises(MessageFileError, match="UTF-8"):
        read_labelled(tmp_path / "gbk.csv")


def test_the_header_is_json_a_person_can_read(model, tmp_path):
    model.save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as data:
        assert json.loads(str(data["header"]))["labels"] == sorted(nlp_samples.MESSAGES)
