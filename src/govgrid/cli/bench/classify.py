"""`govgrid bench classify`: messages per second through the category model on one core (cutting, features,
scores and confidence), against two baselines in the same run: a trivial classifier that looks every
character of a message up in a table of category keywords, and jieba's own cutting of the same texts."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context

SOURCES = ("data/messages/dev_raw.csv", "data/messages/hotspot_messages.csv", "data/messages/replies.csv")


def _texts(obj: Context, count: int) -> list[str]:
    from govgrid.nlp.messages import BODY, SUBJECT, message_text, read_messages
    from govgrid.services.demo.reference import candidate_dirs

    texts: list[str] = []
    for folder in candidate_dirs(obj.settings.shared_dir):
        for relative in SOURCES:
            if (folder / relative).is_file():
                _, rows = read_messages(folder / relative)
                texts += [message_text(r.get(SUBJECT) or "", r.get(BODY) or "") for r in rows]
        if texts:
            break
    if not texts:
        obj.fail("找不到留言数据（shared/data/messages/*.csv）：请设置 GOVGRID_SHARED_DIR")
    return (texts * (count // len(texts) + 1))[:count]


def _rate(count: int, work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


@click.command("classify")
@click.option(
    "--messages", "count", default=20_000, show_default=True, help="分类的留言条数（真实留言，循环使用）"
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="模型文件（缺省：GOVGRID_CLASSIFIER_FILE）",
)
@pass_context
def bench_classify(obj: Context, count: int, model_file: Path | None) -> None:
    """Classify real messages on one core and print the rate against the two baselines."""
    from threadpoolctl import threadpool_limits

    from govgrid.nlp.classifier import ModelFileError, load
    from govgrid.nlp.segment import training_tokens
    from govgrid.settings import resolve_classifier_file

    path = model_file or resolve_classifier_file(obj.settings)
    try:
        model = load(path)
    except ModelFileError as exc:
        obj.fail(
            f"{exc}（例如 govgrid nlp train-classifier --input ../shared/data/messages/train_segmented.csv）"
        )
    texts = _texts(obj, count)
    click.echo(
        f"留言 {len(texts):,} 条（平均 {sum(map(len, texts)) / len(texts):.0f} 字）；模型 {model.version}"
    )
    keywords = {ch: label for label in model.labels for ch in label}

    def trivial() -> None:
        for text in texts:
            votes: dict[str, int] = {}
            for ch in text:
                label = keywords.get(ch)
                if label is not None:
                    votes[label] = votes.get(label, 0) + 1
            max(votes, key=votes.__getitem__) if votes else model.labels[0]

    with threadpool_limits(1):
        model.predict(texts[:10])  # build the segmenter once, as a server does at its first request
        batch = 500
        ours = _rate(
            len(texts), lambda: [model.predict(texts[i : i + batch]) for i in range(0, len(texts), batch)]
        )
        base = _rate(len(texts), trivial)
        sample = texts[: max(1, len(texts) // 10)]
        training_tokens("预热")
        cut = _rate(len(sample), lambda: [training_tokens(t) for t in sample])
    click.echo(f"模型分类（含切词、特征、置信度，单核，每批 {batch} 条）：{ours:,.0f} 条/秒")
    click.echo(f"基线一，逐字查类别关键字表：{base:,.0f} 条/秒（模型为其 {ours / base:.2f} 倍）")
    click.echo(
        f"基线二，jieba 切词（抽样 {len(sample):,} 条）：{cut:,.0f} 条/秒（模型为其 {ours / cut:.2f} 倍）"
    )
    click.echo(f"目标 ≥ 1,000 条/秒：{'达到' if ours >= 1000 else '未达到'}")
