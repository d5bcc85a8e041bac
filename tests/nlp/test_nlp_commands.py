"""`govgrid nlp …` on hand-written messages: training from both formats, classifying a file column for
column, evaluating, exporting the dispatchers' labels; and bad files named by row and column."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from govgrid.cli import main
from tests import nlp_samples


def run(tmp_path, *args):  # type: ignore[no-untyped-def]
    env = {"GOVGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'nlp.db'}", "GOVGRID_SECRET_KEY": "x" * 32}
    return CliRunner().invoke(main, ["nlp", *args], env=env, catch_exceptions=False)


def test_training_takes_both_formats_and_prints_its_figures(tmp_path):
    raw = nlp_samples.write_raw(tmp_path / "raw.csv")
    segmented = nlp_samples.write_segmented(tmp_path / "seg.csv")
    done = run(tmp_path, "train-classifier", "--input", str(segmented), "--input", str(raw))
    assert done.exit_code == 0, done.output
    assert "35 条（已分词）" in done.output and "35 条（原始留言）" in done.output
    assert "训练 70 条、7 类" in done.output and "macro-F1" in done.output and "商贸旅游" in done.output
    assert (tmp_path / "classifier.npz").is_file()  # beside the database, where the app looks


def test_classify_writes_every_input_column_back_with_the_label_and_confidence(tmp_path):
    run(tmp_path, "train-classifier", "--input", str(nlp_samples.write_raw(tmp_path / "raw.csv")))
    given = tmp_path / "in.csv"
    given.write_text("编号,留言主题,留言详情,备注\n7,工资被拖欠,老板欠薪三个月,急\n", encoding="utf-8")
    done = run(tmp_path, "classify", "--input", str(given), "--output", str(tmp_path / "out.csv"))
    assert done.exit_code == 0, done.output
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        (row,) = list(csv.DictReader(f))
    assert list(row) == ["编号", "留言主题", "留言详情", "备注", "预测标签", "置信度"]
    assert row["编号"] == "7" and row["备注"] == "急" and row["预测标签"] == "劳动和社会保障"
    assert 0 < float(row["置信度"]) <= 1


def test_evaluate_prints_accuracy_macro_f1_per_class_and_the_confusion_matrix(tmp_path):
    raw = nlp_samples.write_raw(tmp_path / "raw.csv")
    run(tmp_path, "train-classifier", "--input", str(raw))
    done = run(tmp_path, "evaluate", "--input", str(raw))
    assert done.exit_code == 0, done.output
    for needle in ("准确率 accuracy", "macro-F1", "precision", "recall", "混淆矩阵", "卫生计生"):
        assert needle in done.output
    segmented = run(tmp_path, "evaluate", "--input", str(nlp_samples.write_segmented(tmp_path / "s.csv")))
    assert segmented.exit_code == 0 and "混淆矩阵" in segmented.output


def test_commands_without_a_model_say_how_to_train_one(tmp_path):
    given = nlp_samples.write_raw(tmp_path / "raw.csv")
    done = run(tmp_path, "classify", "--input", str(given), "--output", str(tmp_path / "o.csv"))
    assert done.exit_code == 2 and "train-classifier" in done.output


def test_a_training_row_without_a_label_is_named_and_nothing_is_written(tmp_path):
    items = nlp_samples.rows()
    items[0]["一级标签"] = " "
    done = run(tmp_path, "train-classifier", "--input", str(nlp_samples.write_raw(tmp_path / "r.csv", items)))
    assert done.exit_code == 2 and "第 2 行：一级标签 为空" in done.output
    assert not (tmp_path / "classifier.npz").exists()


def test_a_file_to_classify_without_its_columns_is_refused_naming_them(tmp_path):
    run(tmp_path, "train-classifier", "--input", str(nlp_samples.write_raw(tmp_path / "raw.csv")))
    (tmp_path / "x.csv").write_text("标题,正文\n甲,乙\n", encoding="utf-8")
    done = run(tmp_path, "classify", "--input", str(tmp_path / "x.csv"), "--output", str(tmp_path / "o.csv"))
    assert done.exit_code == 2 and "缺少列：留言主题、留言详情" in done.output
