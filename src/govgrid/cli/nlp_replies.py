"""`govgrid nlp review-replies` and `govgrid nlp evaluate-replies`: the reply-quality scorer over a file,
and its agreement with hand labels (docs/reply_rubric.md). Added to the `nlp` group in cli/nlp.py."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context


@click.command("review-replies")
@click.option("--input", "source", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
@pass_context
def review_replies(obj: Context, source: Path, output: Path) -> None:
    """答复质量: every row written back with 相关性, 完整性, 可解释性, 及时性, 推诿 and 弱答复, each with its reason."""
    from collections import Counter

    from govgrid.nlp.messages import MessageFileError
    from govgrid.nlp.reply_files import ADDED, output_columns, read_replies, review_row

    rules, calendar = obj.catalogs.reply_rules, obj.catalogs.case_rules.calendar
    started = time.perf_counter()
    try:
        header, rows = read_replies(source)
        scored = [review_row(rules, calendar, row, f"{source} 第 {n} 行") for n, row in enumerate(rows, 2)]
    except MessageFileError as exc:
        obj.fail(str(exc))
    columns = [c for c in header if c not in ADDED] + ADDED
    with output.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row, score in zip(rows, scored, strict=True):
            writer.writerow({**row, **output_columns(score)})
    weak = sum(s.weak for s in scored)
    late = sum(s.timely is False for s in scored)
    click.echo(f"已评 {len(rows)} 条答复（用时 {time.perf_counter() - started:.1f} 秒），写入 {output}")
    for name, label in (("relevance", "相关性"), ("completeness", "完整性"), ("explainability", "可解释性")):
        counts = Counter(getattr(s, name) for s in scored)
        click.echo(f"  {label}\t0: {counts[0]}\t1: {counts[1]}\t2: {counts[2]}")
    click.echo(
        f"  推诿 {sum(s.deflection for s in scored)}，弱答复 {weak}（{weak / max(1, len(rows)):.1%}），"
        f"超时 {late}（时限 {rules.limit_workdays} 个工作日）"
    )


@click.command("evaluate-replies")
@click.option(
    "--labels",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="人工标注（留言编号,相关性,完整性,可解释性,推诿,弱答复,理由）",
)
@click.option(
    "--input", "source", required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@pass_context
def evaluate_replies(obj: Context, labels: Path, source: Path) -> None:
    """The scorer against hand labels: agreement, within-one and weighted kappa per dimension; the flags'
    agreement, precision and recall."""
    from govgrid.nlp.messages import MessageFileError, open_rows
    from govgrid.nlp.reply_files import NUMBER, agreement, read_replies, review_row
    from govgrid.nlp.reply_quality import DIMENSION_LABEL

    rules, calendar = obj.catalogs.reply_rules, obj.catalogs.case_rules.calendar
    try:
        _, rows = read_replies(source)
        _, labelled = open_rows(labels)
        wanted = {(row.get(NUMBER) or "").strip() for row in labelled}
        scores = {
            (row.get(NUMBER) or "").strip(): review_row(rules, calendar, row, f"{source} 第 {n} 行")
            for n, row in enumerate(rows, 2)
            if (row.get(NUMBER) or "").strip() in wanted
        }
        found = agreement(labelled, scores, str(labels))
    except MessageFileError as exc:
        obj.fail(str(exc))
    click.echo(f"{found.rows} 条人工标注对照评分器：")
    click.echo("维度\t一致率\t相差≤1\t加权kappa\t人工分布\t评分器分布")
    for name, d in found.dimensions.items():
        click.echo(
            f"{DIMENSION_LABEL[name]}\t{d['exact']:.3f}\t{d['within_one']:.3f}\t{d['kappa']:.3f}\t"
            f"{_counts(d['gold'])}\t{_counts(d['scored'])}"
        )
    for name, label in (("deflection", "推诿"), ("weak", "弱答复")):
        f = found.flags[name]
        click.echo(
            f"{label}\t一致率 {f['agreement']:.3f}\t精确率 {f['precision']:.3f}\t召回率 {f['recall']:.3f}\t"
            f"人工 {f['gold']} 条，评分器 {f['scored']} 条"
        )


def _counts(counts: dict[int, int]) -> str:
    return "/".join(str(counts.get(grade, 0)) for grade in (0, 1, 2))
