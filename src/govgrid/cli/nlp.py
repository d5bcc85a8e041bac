"""`govgrid nlp …`: the 12345 message model from the console — train it, classify a file with it, score
it against labels, and export the labels dispatchers gave in use (for retraining)."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govgrid.cli.context import Context, pass_context
from govgrid.cli.nlp_replies import evaluate_replies, review_replies

if TYPE_CHECKING:
    from govgrid.nlp.classifier import Model

PREDICTED, CONFIDENCE = "预测标签", "置信度"


def _model_path(obj: Context, given: Path | None) -> Path:
    from govgrid.settings import resolve_classifier_file

    return given if given is not None else resolve_classifier_file(obj.settings)


def _load(obj: Context, given: Path | None) -> Model:
    from govgrid.nlp.classifier import ModelFileError, load

    try:
        return load(_model_path(obj, given))
    except ModelFileError as exc:
        obj.fail(str(exc))


@click.group()
def nlp() -> None:
    """中文智能：留言分类（派单建议）、热点、答复质量、台账草稿评测。"""


@nlp.command("train-classifier")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="训练文件：已分词格式（text_segmented,label）或原始格式（留言主题,留言详情,一级标签）；可重复",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="模型文件（缺省：GOVGRID_CLASSIFIER_FILE，即数据库旁的 classifier.npz）",
)
@pass_context
def train_classifier(obj: Context, inputs: tuple[Path, ...], output: Path | None) -> None:
    """Train the category model (grouped 5-fold cross-validation first) and save it with its figures."""
    from govgrid.nlp.messages import MessageFileError
    from govgrid.services.intelligence.training import train_from_files

    started = time.perf_counter()
    try:
        model = train_from_files(inputs, click.echo)
    except (MessageFileError, ValueError) as exc:
        obj.fail(str(exc))
    target = _model_path(obj, output)
    model.save(target)
    cv = model.header["cross_validation"]
    click.echo(
        f"训练 {model.header['examples']} 条、{len(model.labels)} 类、特征 {model.featuriser.width:,} 维，"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    )
    if cv:
        click.echo(
            f"{model.header['cv_folds']} 折分组交叉验证：accuracy {cv['accuracy']:.4f}  macro-F1 {cv['macro_f1']:.4f}"
        )
        for name, c in cv["classes"].items():
            click.echo(
                f"  {name:<8}\tP {c['precision']:.4f}\tR {c['recall']:.4f}\tF1 {c['f1']:.4f}\t{c['support']}"
            )
    click.echo(f"模型 {model.version} 已写入 {target}（数据 SHA-256 {model.header['data_sha256'][:16]}…）")


@nlp.command("classify")
@click.option("--input", "source", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--model", "model_file", type=click.Path(path_type=Path, dir_okay=False), default=None)
@pass_context
def classify(obj: Context, source: Path, output: Path, model_file: Path | None) -> None:
    """Write every input row back with 预测标签 and 置信度 (reads 留言主题 and 留言详情)."""
    from govgrid.nlp.messages import BODY, SUBJECT, MessageFileError, message_text, read_messages

    model = _load(obj, model_file)
    try:
        header, rows = read_messages(source)
    except MessageFileError as exc:
        obj.fail(str(exc))
    started = time.perf_counter()
    predictions = model.predict([message_text(r.get(SUBJECT) or "", r.get(BODY) or "") for r in rows])
    spent = time.perf_counter() - started
    columns = [c for c in header if c not in (PREDICTED, CONFIDENCE)] + [PREDICTED, CONFIDENCE]
    with output.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row, p in zip(rows, predictions, strict=True):
            writer.writerow({**row, PREDICTED: p.label, CONFIDENCE: f"{p.confidence:.4f}"})
    rate = len(rows) / spent if spent > 0 else float("inf")
    click.echo(f"已分类 {len(rows)} 条（{rate:,.0f} 条/秒），写入 {output}；模型 {model.version}")


@nlp.command("evaluate")
@click.option(
    "--input",
    "source",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="带标签的文件（原始格式或已分词格式）",
)
@click.option("--model", "model_file", type=click.Path(path_type=Path, dir_okay=False), default=None)
@pass_context
def evaluate(obj: Context, source: Path, model_file: Path | None) -> None:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix."""
    from govgrid.nlp.evaluation import report, score
    from govgrid.nlp.messages import (
        BODY,
        LABEL,
        SEGMENTED,
        SEGMENTED_LABEL,
        SUBJECT,
        MessageFileError,
        message_text,
        read_labelled,
        read_messages,
    )

    model = _load(obj, model_file)
    try:
        header, rows = read_messages(source)
        truth = [(r.get(LABEL) or "").strip() for r in rows]
        predictions = model.predict([message_text(r.get(SUBJECT) or "", r.get(BODY) or "") for r in rows])
    except MessageFileError:
        try:  # the segmented format: the words are given
            part = read_labelled(source)
        except MessageFileError as exc:
            obj.fail(str(exc))
        if part.kind != "segmented":
            obj.fail(f"{source} 须含 {LABEL} 列（或为 {SEGMENTED},{SEGMENTED_LABEL} 格式）")
        truth, predictions = part.labels, model.predict_tokens(part.documents)
    missing = [n for n, t in enumerate(truth, start=2) if not t]
    if missing:
        obj.fail(f"{source} 第 {missing[0]} 行：{LABEL} 为空")
    click.echo(f"模型 {model.version}（{model.header.get('examples')} 条训练）在 {source} 上：")
    click.echo(report(score(truth, [p.label for p in predictions], model.labels)))


@nlp.command("export-labels")
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
@pass_context
def export_labels(obj: Context, output: Path) -> None:
    """The categories dispatchers gave on dispatching, as a raw-format training file (with the model's
    prediction beside each): pass it to train-classifier with another --input to retrain with them."""
    from govgrid.services.intelligence.labels import EXPORT_COLUMNS, export

    count = corrected = 0
    with obj.migrated_sessions()() as session, output.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        for row in export(session):
            writer.writerow(row)
            count += 1
            corrected += bool(row["模型预测"]) and row["模型预测"] != row["一级标签"]
    click.echo(f"已导出 {count} 条派遣标注（其中纠正模型 {corrected} 条）到 {output}")


@nlp.command("evaluate-draft")
@click.option("--gold", required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--texts", required=True, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--verbose", is_flag=True, help="列出误报与漏报")
@pass_context
def evaluate_draft(obj: Context, gold: Path, texts: Path, verbose: bool) -> None:
    """Score `govgrid ledger draft` against a gold set: precision, recall, F1; kind, owner, deadline."""
    import json

    from govgrid.nlp.draft_scoring import score_drafts
    from govgrid.nlp.plan_targets import draft
    from govgrid.services.ledger.drafting import PlanTextError, read_plan

    records = []
    for number, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                obj.fail(f"{gold} 第 {number} 行不是 JSON：{exc}")
    drafted = {}
    for name in sorted({str(r["file"]) for r in records}):
        try:
            drafted[name] = draft(read_plan((texts / name).read_bytes(), name))
        except (OSError, PlanTextError) as exc:
            obj.fail(f"读不了 {texts / name}：{exc}")
    s = score_drafts(drafted, records)
    click.echo(f"文件 {len(drafted)} 个；抽取 {s.predicted} 条；金标准须召回 {s.required} 条")
    click.echo(f"precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
    click.echo(
        f"kind {s.accuracy(s.kind_right):.3f}  owner {s.accuracy(s.owner_right):.3f}  "
        f"deadline {s.accuracy(s.deadline_right):.3f}（在 {s.pairs} 对匹配上）"
    )
    if verbose:
        for name, r in s.wrong:
            click.echo(f"  误报 {name} {r.value:g}{r.unit} {r.quote!r}")
        for g in s.missed:
            click.echo(f"  漏报 {g['file']} {g['value']:g}{g['unit']} {g['quote']!r}")


@nlp.command("hotspots")
@click.option(
    "--input", "source", required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@pass_context
def hotspots(obj: Context, source: Path, top: int, fmt: str) -> None:
    """热点问题挖掘: messages about the same problem at the same place, grouped and scored, hottest first."""
    import json

    from govgrid.catalog.hotspot_rules import load_hotspot_rules
    from govgrid.nlp.hotspots import find_hotspots
    from govgrid.nlp.messages import MessageFileError, read_hotspot_messages

    try:
        messages = read_hotspot_messages(source)
    except MessageFileError as exc:
        obj.fail(str(exc))
    started = time.perf_counter()
    found = find_hotspots(messages, load_hotspot_rules(), top=top)
    spent = time.perf_counter() - started
    if fmt == "json":
        click.echo(json.dumps([h.as_dict() for h in found], ensure_ascii=False, indent=1))
    else:
        click.echo("热度\t留言\t人数\t地点\t起止\t标题")
        for h in found:
            click.echo(
                f"{h.score:.2f}\t{len(h.members)}\t{h.people}\t{h.place}\t"
                f"{h.start:%Y-%m-%d}–{h.end:%Y-%m-%d}\t{h.title}"
            )
    click.echo(f"{len(messages):,} 条留言，用时 {spent:.1f} 秒", err=True)


nlp.add_command(review_replies)
nlp.add_command(evaluate_replies)
