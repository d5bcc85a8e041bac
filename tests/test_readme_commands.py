"""Every command the README shows runs, through the installed `govgrid` script, against the demo district
built as the README says (benchmarks with small sizes). A README command this test does not run fails it.
`make demo` and `make test` themselves are what CI runs."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOVGRID = Path(sys.executable).parent / "govgrid"
RUN: list[str] = []  # the subcommands this test ran, checked against the README at the end


def _on_postgres() -> bool:
    from tests.databases import postgres_base

    return postgres_base() is not None


pytestmark = pytest.mark.skipif(
    _on_postgres(), reason="the README's commands run on its default SQLite, in the SQLite pass of the suite"
)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import SHARED

    if not (SHARED / "data" / "geo" / "370102.geojson").is_file():
        pytest.skip(f"参考数据目录 {SHARED} 不存在：README 的命令需要演示区")
    folder = tmp_path_factory.mktemp("readme")
    govgrid(folder, "demo", "--no-serve")
    return folder


def govgrid(
    folder: Path, *args: str, expect: int = 0, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOVGRID_EMBEDDED_WORKER": "false",
        "GOVGRID_SHARED_DIR": str(ROOT.parent / "shared"),
    }
    env.pop("GOVGRID_DATABASE_URL", None)  # the README's default: govgrid.db in the working directory
    done = subprocess.run(
        [str(GOVGRID), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
    )
    RUN.append(" ".join(args[:2]))
    assert done.returncode == expect, (
        f"govgrid {' '.join(args)} → {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done


def test_the_readme_examples_run(demo_dir):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^\.venv/bin/govgrid (.+)$", text, flags=re.M)
    assert len(examples) >= 3
    for line in examples:
        done = govgrid(demo_dir, *shlex.split(line))
        assert done.stdout.strip().startswith(("{", "[")), line
    located = json.loads(
        govgrid(demo_dir, "get", "/api/v1/geo/locate?lng=117.0386&lat=36.6642&crs=gcj02").stdout
    )
    assert located["grid_code"].startswith("370102")


def test_serve_answers_and_stops(demo_dir):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GOVGRID_PORT": str(port), "GOVGRID_EMBEDDED_WORKER": "false"}
    env.pop("GOVGRID_DATABASE_URL", None)
    server = subprocess.Popen(
        [str(GOVGRID), "serve"], cwd=demo_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    RUN.append("serve")
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as answer:
                    assert json.load(answer)["status"] == "ok"
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("govgrid serve did not answer /api/v1/health")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_console_commands_run(demo_dir, tmp_path):
    govgrid(demo_dir, "demo", "--no-serve", "--scenario")
    govgrid(demo_dir, "db", "upgrade")
    assert "SQLite 不分区" in govgrid(demo_dir, "db", "partitions").stdout  # PostgreSQL's: test_partitions
    govgrid(demo_dir, "worker", "--once")
    assert "admin" in govgrid(demo_dir, "users", "list").stdout
    govgrid(
        demo_dir,
        "users",
        "create",
        "readme_user",
        "--name",
        "说明",
        "--role",
        "grid_worker",
        "--scope",
        "370102001001",
        "--password",
        "readme-pass-1",
    )
    govgrid(demo_dir, "users", "set-password", "readme_user", "--password", "readme-pass-2")
    assert (
        govgrid(demo_dir, "users", "token", "readme_user").stdout.strip().splitlines()[-1].startswith("ggt_")
    )
    govgrid(demo_dir, "users", "disable", "readme_user")
    govgrid(demo_dir, "users", "enable", "readme_user")
    govgrid(demo_dir, "users", "unlock", "readme_user")
    key = (
        govgrid(demo_dir, "connectors", "key", "hotline12345", "--name", "说明")
        .stdout.strip()
        .splitlines()[-1]
    )
    assert key.startswith("ggc_")
    key_id = govgrid(demo_dir, "connectors", "list").stdout.split()[0].lstrip("#")
    govgrid(demo_dir, "connectors", "revoke", key_id)
    assert "暂定" in govgrid(demo_dir, "calendar", "due", "2026-12-28T10:00", "20", "工作日").stdout
    govgrid(demo_dir, "calendar", "status")
    notice = tmp_path / "2031.yaml"
    notice.write_text(
        "holidays: [2031-01-01, 2031-01-22..2031-01-25, 2031-04-05, 2031-05-01..2031-05-02, "
        "2031-06-24, 2031-10-01..2031-10-03]\n",
        encoding="utf-8",
    )
    govgrid(demo_dir, "calendar", "set-year", "2031", str(notice))
    places = tmp_path / "地名.csv"
    places.write_text("名称,类型,经度,纬度\n说明大厦,building,117.0386,36.6642\n", encoding="utf-8")
    govgrid(demo_dir, "import-places", str(places))
    exported = tmp_path / "台账.xlsx"
    govgrid(demo_dir, "ledger", "export", str(exported), "--light", "red")
    assert exported.stat().st_size > 1000
    small = tmp_path / "小台账.csv"
    small.write_text(
        "序号,上级序号,层级,工作内容,牵头单位,完成时限\nRD-1,,行动,说明行动,,\n"
        "1,RD-1,任务,说明任务,LX-CGJ,2026-12-31\n",
        encoding="utf-8",
    )
    govgrid(demo_dir, "ledger", "import", str(small))
    history = tmp_path / "历史案件.csv"
    history.write_text(
        "案件编号,来源,问题分类,标题,经度,纬度,上报时间,当前状态\n"
        "OLD-1,巡查,E0102,说明案件,117.0386,36.6642,2025-03-03 09:00,待立案\n",
        encoding="utf-8",
    )
    done = govgrid(demo_dir, "cases", "import", str(history), "--source", "readme")
    assert "新建 1 件" in done.stdout


def test_import_geo_runs_on_an_empty_database(tmp_path):
    from tests.unit.geojson_samples import district_doc

    doc = tmp_path / "区划.geojson"
    doc.write_text(json.dumps(district_doc()), encoding="utf-8")
    govgrid(tmp_path, "import-geo", str(doc))


def test_the_language_commands_run_on_the_shared_messages(demo_dir, tmp_path):
    messages = ROOT.parent / "shared" / "data" / "messages"
    assert (demo_dir / "classifier.npz").is_file()  # `govgrid demo` trained it from the shared file
    small = tmp_path / "small.csv"  # every fifth row: every category, a fifth of the time
    with (messages / "train_segmented.csv").open(encoding="utf-8", newline="") as f, small.open("w") as out:
        rows = list(csv.reader(f))
        csv.writer(out).writerows([rows[0], *rows[1::5]])
    model = tmp_path / "model.npz"
    done = govgrid(demo_dir, "nlp", "train-classifier", "--input", str(small), "--output", str(model))
    assert "交叉验证" in done.stdout and model.is_file()
    done = govgrid(demo_dir, "nlp", "evaluate", "--input", str(messages / "dev_raw.csv"))
    assert "macro-F1" in done.stdout and "混淆矩阵" in done.stdout
    out = tmp_path / "classified.csv"
    govgrid(demo_dir, "nlp", "classify", "--input", str(messages / "dev_raw.csv"), "--output", str(out))
    assert "预测标签,置信度" in out.read_text(encoding="utf-8-sig").splitlines()[0]
    done = govgrid(demo_dir, "nlp", "export-labels", "--output", str(tmp_path / "labels.csv"))
    assert "已导出" in done.stdout
    seeds = ROOT.parent / "shared" / "seeds"
    done = govgrid(demo_dir, "ledger", "draft", str(seeds / "002_1b36e1222fd58a9f.txt"))
    first = json.loads(done.stdout.splitlines()[0])
    assert {"quote", "kind", "subject", "value", "unit", "qualifier", "owner", "deadline", "campaign"} <= set(
        first
    )
    assert (
        "目标"
        in govgrid(
            demo_dir, "ledger", "draft", str(seeds / "003_66d65a4d4a8e64fa.txt"), "--format", "table"
        ).stdout
    )
    done = govgrid(
        demo_dir, "nlp", "evaluate-draft", "--gold", str(ROOT.parent / "shared" / "gold" / "targets.jsonl"),
        "--texts", str(seeds),
    )  # fmt: skip
    assert "precision" in done.stdout and "deadline" in done.stdout
    done = govgrid(
        demo_dir, "nlp", "hotspots", "--input", str(messages / "hotspot_messages.csv"), "--format", "json"
    )
    assert json.loads(done.stdout)[0]["members"]
    reviewed = tmp_path / "reviewed.csv"
    replies = messages / "replies.csv"
    done = govgrid(demo_dir, "nlp", "review-replies", "--input", str(replies), "--output", str(reviewed))
    assert (
        "弱答复" in done.stdout and "相关性理由" in reviewed.read_text(encoding="utf-8-sig").splitlines()[0]
    )
    labels = ROOT / "tests" / "nlp" / "reply_labels.csv"
    done = govgrid(demo_dir, "nlp", "evaluate-replies", "--labels", str(labels), "--input", str(replies))
    assert "加权kappa" in done.stdout and "200 条人工标注" in done.stdout


def test_the_forms_commands_run(demo_dir):
    stats = json.loads(govgrid(demo_dir, "forms", "stats", "--format", "json").stdout)
    assert set(stats) == {"templates", "fields", "registry_fields", "shared_share"}
    assert stats["templates"] == 10 and stats["shared_share"] >= 0.6
    assert "共用字段" in govgrid(demo_dir, "forms", "stats").stdout
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["历下区疫苗接种情况统计表"])
    book.active.append(["序号", "姓名", "身份证号码", "联系电话", "是否接种"])
    book.save(demo_dir / "proposed.xlsx")
    done = govgrid(demo_dir, "forms", "check", str(demo_dir / "proposed.xlsx"))
    assert "4 个字段中 3 个已在登记簿中" in done.stdout and "新字段\t是否接种" in done.stdout
    written = govgrid(
        demo_dir, "forms", "layout", "follow_ups", "--output", str(demo_dir / "follow_ups.xlsx")
    )
    assert "已命名 10/10 列" in written.stdout and (demo_dir / "follow_ups.xlsx").stat().st_size > 1000


def test_the_demo_grows_into_a_city_with_shizhong_beside_lixia(demo_dir, tmp_path):
    import sqlite3

    with sqlite3.connect(demo_dir / "govgrid.db") as source, sqlite3.connect(tmp_path / "govgrid.db") as copy:
        source.backup(copy)  # a copy: the other tests keep their one-district demo
    done = govgrid(tmp_path, "demo", "--no-serve", "--city")
    assert "新增区县 市中区（案件 " in done.stdout
    assert "city_dispatcher" in done.stdout and "sz_dispatcher" in done.stdout
    people = govgrid(tmp_path, "users", "list").stdout
    assert "冯雪（市12345热线派单员）" in people and "郑涛（市中区派遣员）" in people
    assert "新增区县 无（已存在）" in govgrid(tmp_path, "demo", "--no-serve", "--city").stdout


def test_the_audit_chain_and_a_backup_restored_into_an_empty_folder(demo_dir, tmp_path):
    govgrid(demo_dir, "audit", "anchor")
    assert "哈希链完整" in govgrid(demo_dir, "audit", "verify").stdout
    archive = tmp_path / "demo.govgrid-backup"
    govgrid(demo_dir, "backup", str(archive))
    elsewhere = tmp_path / "restored"
    elsewhere.mkdir()
    assert "行数与备份清单一致" in govgrid(elsewhere, "restore", str(archive)).stdout
    assert "哈希链完整" in govgrid(elsewhere, "audit", "verify").stdout


def test_the_benchmarks_run_with_small_sizes(demo_dir):
    govgrid(demo_dir, "bench", "locate", "--points", "20000", "--sample", "50")
    govgrid(demo_dir, "bench", "intake", "--cases", "2000", "--batch", "1000")
    govgrid(demo_dir, "bench", "api", "--rate", "20", "--seconds", "1")
    govgrid(demo_dir, "bench", "ledger", "--tasks", "500", "--campaigns", "5")
    govgrid(demo_dir, "bench", "report", "--cases", "4000")
    govgrid(demo_dir, "bench", "import", "--rows", "2000")
    govgrid(demo_dir, "bench", "dashboard", "--cases", "3000", "--streams", "3", "--events", "5")
    assert "条/秒" in govgrid(demo_dir, "bench", "classify", "--messages", "500").stdout
    assert "热点" in govgrid(demo_dir, "bench", "hotspots", "--messages", "5000").stdout
    assert "（与一表通相同）" in govgrid(demo_dir, "bench", "forms", "--residents", "500").stdout
    assert "断裂 0 处" in govgrid(demo_dir, "bench", "verify", "--rows", "5000").stdout
    load = govgrid(
        demo_dir,
        "bench",
        "load",
        "--seconds",
        "3",
        "--clients",
        "1",
        "--threads",
        "2",
        "--streams",
        "2",
        "--days",
        "1",
    )
    assert "错误 0 次" in load.stdout and "SSE：2 个事件流全程保持" in load.stdout


def test_every_command_in_the_readme_table_was_run():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `govgrid([^`]*)`", text, flags=re.M)
    shown = set()
    for cell in table:
        words = [w for w in cell.replace("\\|", "|").split() if not w.startswith(("[", "-"))]
        group = words[0] if words else "serve"
        for sub in (
            words[1].split("|")
            if len(words) > 1
            and words[0]
            in ("users", "bench", "db", "ledger", "calendar", "connectors", "nlp", "forms", "audit")
            else [""]
        ):
            shown.add(f"{group} {sub}".strip())
    for line in re.findall(r"`(?:govgrid )?((?:connectors|calendar|ledger|users) [a-z-]+)", text):
        shown.add(line)
    ran = {
        " ".join(r.split()[:2])
        if r.split()[0]
        in ("users", "bench", "db", "ledger", "calendar", "connectors", "nlp", "forms", "audit")
        else r.split()[0]
        for r in RUN
    }
    missing = sorted(command for command in shown if command not in ran)
    assert missing == [], f"README commands no test ran: {missing}"
