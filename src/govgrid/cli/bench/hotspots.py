"""`govgrid bench hotspots`: the hotspot grouping over the real file, then over N messages (bench data: the
real messages copied with new ids, each copy 400 days after the last, so copies never join), against a
trivial grouping by identical subject in the same run."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import click

from govgrid.cli.context import Context, pass_context

SOURCE = "data/messages/hotspot_messages.csv"


@click.command("hotspots")
@click.option("--messages", "count", default=100_000, show_default=True, help="放大后的留言条数")
@pass_context
def bench_hotspots(obj: Context, count: int) -> None:
    """Seconds to find the hotspots of the real file and of `--messages` copies of it."""
    from govgrid.catalog.hotspot_rules import load_hotspot_rules
    from govgrid.nlp.hotspots import find_hotspots
    from govgrid.nlp.messages import read_hotspot_messages
    from govgrid.services.demo.reference import reference_file

    real = read_hotspot_messages(reference_file(obj.settings.shared_dir, SOURCE))
    rules = load_hotspot_rules()
    copies = [
        replace(m, id=f"{m.id}-{k}", at=m.at + timedelta(days=400 * k))
        for k in range(count // len(real) + 1)
        for m in real
    ][:count]
    for label, messages in (("真实文件", real), ("放大（基准数据）", copies)):
        started = time.perf_counter()
        found = find_hotspots(messages, rules)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        same: dict[str, int] = {}
        for m in messages:
            same[m.subject.strip()] = same.get(m.subject.strip(), 0) + 1
        trivial = time.perf_counter() - started
        top = found[0] if found else None
        click.echo(
            f"{label} {len(messages):,} 条：热点 {len(found)} 个，用时 {ours:.1f} 秒"
            f"（{len(messages) / ours:,.0f} 条/秒）；最热：{top.title if top else '—'}（{len(top.members) if top else 0} 条）"
        )
        click.echo(
            f"  基线，按完全相同的标题分组：{trivial * 1000:.0f} 毫秒，{sum(1 for v in same.values() if v >= 3)} 组"
            f"（模型用时为其 {ours / max(trivial, 1e-9):,.0f} 倍）"
        )
    click.echo("目标：真实文件 4,320 条 30 秒内")
