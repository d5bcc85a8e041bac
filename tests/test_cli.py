"""The command line: get, import-geo, db upgrade, users."""

import json

from click.testing import CliRunner

from govgrid.cli import main
from tests.unit.geojson_samples import district_doc, with_change


def run(args, url, **env):
    env = {
        "GOVGRID_DATABASE_URL": url,
        "GOVGRID_SECRET_KEY": "cli-test-secret-long-enough",
        "GOVGRID_MEDIA_DIR": "/tmp/govgrid-test-media",
        **env,
    }
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def test_get_prints_the_body_and_succeeds_on_200(district_url, district):
    result = run(["get", "/api/v1/health"], district_url)
    assert result.exit_code == 0 and json.loads(result.stdout.splitlines()[0])["status"] == "ok"


def test_get_exits_non_zero_on_an_error_status(district_url, district):
    result = run(["get", "/api/v1/geo/areas"], district_url)
    assert result.exit_code == 1 and "HTTP 401" in result.stderr


def test_get_can_act_as_a_user(district_url, district):
    result = run(["get", "/api/v1/me", "--as", "street_officer"], district_url)
    assert result.exit_code == 0 and '"scope_code":"370102001"' in result.stdout


def test_import_geo_reports_every_bad_feature_and_exits_2(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(with_change(district_doc(), 2, coordinates=[[[117.01, 36.6], [117.02, 36.6]]])))
    result = run(["import-geo", str(bad)], url)
    assert result.exit_code == 2 and "要素 #3" in result.stderr and "370199002" in result.stderr
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(district_doc()))
    result = run(["import-geo", str(good)], url)
    assert result.exit_code == 0 and "district 1" in result.stdout


def test_import_geo_refuses_a_file_that_is_not_utf8_json(tmp_path):
    bad = tmp_path / "gbk.geojson"
    bad.write_bytes('{"name": "历下区"}'.encode("gbk"))
    result = run(["import-geo", str(bad)], f"sqlite:///{tmp_path / 'cli.db'}")
    assert result.exit_code == 2 and "UTF-8" in result.stderr


def test_db_upgrade_reports_the_newest_revision(tmp_path):
    from alembic.script import ScriptDirectory

    from govgrid.db.migrate import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    result = run(["db", "upgrade"], f"sqlite:///{tmp_path / 'up.db'}")
    assert result.exit_code == 0 and f"数据库已迁移到 {head}" in result.stdout


def test_users_can_be_created_and_listed_from_the_console(tmp_path):
    url = f"sqlite:///{tmp_path / 'users.db'}"
    result = run(
        [
            "users",
            "create",
            "ops1",
            "--name",
            "运维一",
            "--role",
            "admin",
            "--scope",
            "370102",
            "--password",
            "long-enough-3",
        ],
        url,
    )
    assert result.exit_code == 0, result.output
    assert "ops1" in run(["users", "list"], url).stdout


def test_import_places_names_a_bad_row_and_adds_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'places.db'}"
    doc = tmp_path / "district.geojson"
    doc.write_text(json.dumps(district_doc()))
    imported = run(["import-geo", str(doc), "--allow-gaps"], url)
    assert imported.exit_code == 0, imported.stderr
    bad = tmp_path / "places.csv"
    bad.write_text("名称,类型,经度,纬度\n西门,place,117.005,36.61\n坏行,place,东经,36.61\n", encoding="utf-8")
    result = run(["import-places", str(bad)], url)
    assert result.exit_code == 2 and "第 3 行" in result.stderr


def test_one_worker_round_runs_on_an_empty_database(tmp_path):
    result = run(["worker", "--once"], f"sqlite:///{tmp_path / 'worker.db'}")
    assert result.exit_code == 0, result.output


def test_a_ledger_is_imported_and_exported_from_the_console(district_url, district, tmp_path):
    sheet = tmp_path / "台账.csv"
    sheet.write_text(
        "序号,上级序号,层级,工作内容,牵头单位,完成时限\nCLI-1,,行动,控制台导入,,\n"
        "1,CLI-1,任务,清理小广告,历下区城市管理局,2026-12-31\n",
        encoding="utf-8",
    )
    result = run(["ledger", "import", str(sheet), "--as", "supervisor"], district_url)
    assert result.exit_code == 0 and "CLI-1" in result.stdout and "事项 2 个" in result.stdout
    again = run(["ledger", "import", str(sheet), "--as", "supervisor"], district_url)
    assert again.exit_code == 2 and "第2行" in again.stderr and "已存在" in again.stderr
    out = tmp_path / "导出.csv"
    exported = run(["ledger", "export", str(out), "--as", "dept_officer"], district_url)
    assert exported.exit_code == 0 and "清理小广告" in out.read_text(encoding="utf-8-sig")


def test_calendar_due_prints_the_deadline_and_says_it_is_provisional(tmp_path):
    result = run(["calendar", "due", "2026-12-28T10:00", "20", "工作日"], f"sqlite:///{tmp_path / 'cal.db'}")
    assert result.exit_code == 0 and "2027-01-26 23:59:59" in result.stdout and "暂定" in result.stdout


def test_calendar_set_year_enters_the_notice_and_refuses_a_bad_one_naming_the_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'cal.db'}"
    bad = tmp_path / "bad.yaml"
    bad.write_text("holidays: [2027-01-01]\nworkdays: [2027-02-17]\n", encoding="utf-8")
    result = run(["calendar", "set-year", "2027", str(bad)], url)
    assert result.exit_code == 2 and "2027-02-17（星期三）本就是工作日" in result.stderr
    good = tmp_path / "2027.yaml"
    good.write_text(
        "source: 测试\nholidays: [2027-01-01..2027-01-03, 2027-02-05..2027-02-12, 2027-04-05, "
        "2027-05-01..2027-05-05, 2027-06-09, 2027-09-15, 2027-10-01..2027-10-07]\n"
        "workdays: [2027-02-20]\n",
        encoding="utf-8",
    )
    result = run(["calendar", "set-year", "2027", str(good)], url)
    assert result.exit_code == 0 and "2027 年节假日安排已录入" in result.stdout
    result = run(["calendar", "due", "2026-12-28T10:00", "20", "工作日"], url)
    assert "正式" in result.stdout and "暂定" not in result.stdout
    assert "已录入国务院办公厅通知（测试）" in run(["calendar", "status", "2027"], url).stdout


def test_connectors_key_prints_the_key_once_as_the_last_line_and_it_can_be_revoked(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    issued = run(["connectors", "key", "hotline12345", "--name", "市12345平台"], url)
    assert issued.exit_code == 0
    secret = issued.stdout.strip().splitlines()[-1]
    assert secret.startswith("ggc_") and len(secret) > 40
    listed = run(["connectors", "list"], url).stdout
    assert "hotline12345" in listed and "有效" in listed and secret not in listed
    key_id = listed.split()[0].lstrip("#")
    assert run(["connectors", "revoke", key_id], url).exit_code == 0
    assert "已吊销" in run(["connectors", "list"], url).stdout
    unknown = run(["connectors", "key", "fax"], url)
    assert unknown.exit_code == 2 and "fax" in unknown.stderr


def test_users_disable_unlock_and_a_token_with_an_expiry(district_url, district):
    import uuid

    name = f"c_{uuid.uuid4().hex[:8]}"
    created = run(
        [
            "users",
            "create",
            name,
            "--name",
            "命令行",
            "--role",
            "grid_worker",
            "--scope",
            "370102001001",
            "--password",
            "cli-pass-123",
        ],
        district_url,
    )
    assert created.exit_code == 0, created.stderr
    token = run(["users", "token", name, "--days", "7"], district_url).stdout.strip().splitlines()[-1]
    assert token.startswith("ggt_")
    assert "已停用" in run(["users", "disable", name], district_url).stdout
    assert "未被锁定" in run(["users", "unlock", name], district_url).stdout
    assert (
        run(["users", "create", "x_conn", "--name", "x", "--role", "connector"], district_url).exit_code == 2
    )
