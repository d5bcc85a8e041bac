"""The one table of authorisation rules. Services call `authorize` / `scope_filter`; routes never decide.

Reach:
  none  — the role may not do this at all
  own   — only records the actor owns (their own profile, their own tokens, cases they reported)
  unit  — records assigned to the actor's unit (a department's or a street office's cases)
  scope — records inside the actor's data scope (an area code: district, street or community)
  all   — every record of the deployment
Records outside the caller's reach are answered as "not found", so their existence is not disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from govgrid.domain.areas import is_within, scope_prefix
from govgrid.domain.errors import Forbidden, NotAuthenticated, NotFound
from govgrid.domain.roles import Role


class Action(StrEnum):
    READ_GEOGRAPHY = "read_geography"  # areas, unit grids, responsibility grids and their workers
    IMPORT_GEOGRAPHY = "import_geography"
    READ_PEOPLE = "read_people"
    MANAGE_PEOPLE = "manage_people"  # accounts: create, reset a password, disable, unlock (安全管理员)
    MANAGE_DIRECTORY = "manage_directory"  # units, grid workers' grids, responsibility grids (系统管理员)
    READ_UNITS = "read_units"  # the directory of departments and streets
    READ_AUDIT = "read_audit"
    MANAGE_OWN_TOKENS = "manage_own_tokens"
    READ_CASES = "read_cases"
    REPORT_CASE = "report_case"  # 上报 (patrol, citizen)
    VERIFY_CASE = "verify_case"  # 核实
    REGISTER_CASE = "register_case"  # 立案 / 作废
    DISPATCH_CASE = "dispatch_case"  # 派遣 / 改派 / 回访
    HANDLE_CASE = "handle_case"  # 签收 / 处置 / 反馈 / 回退 / 申请延期
    CHECK_CASE = "check_case"  # 核查
    MANAGE_CASE = "manage_case"  # 挂账 / 强制结案 / 督办 / 批准延期 / 考评 / 剔单
    ATTACH_PHOTO = "attach_photo"  # 现场照片 on a case
    READ_LEDGER = "read_ledger"  # 督办台账
    MANAGE_LEDGER = "manage_ledger"  # 立项、交办、升级、销号
    REPORT_PROGRESS = "report_progress"  # 进展填报 by the lead or a co-unit
    MANAGE_CALENDAR = "manage_calendar"  # 录入节假日安排（工作日历）
    MANAGE_CONNECTORS = "manage_connectors"  # 连接器密钥：签发、吊销
    INSTRUCT = "instruct"  # 领导批示 on a case or a ledger item
    READ_ASSESSMENT = "read_assessment"  # 考核指标、排名 over the cases one may see
    IMPORT_CASES = "import_cases"  # 历史案件导入 from an incumbent system (any 来源)
    MANAGE_PUSHES = "manage_pushes"  # 推送目标 (group robots) and issuing a bulletin on demand
    READ_BULLETINS = "read_bulletins"  # 通报: district-wide, for those whose scope is the district
    INSPECT = "inspect"  # 督导检查：发起检查、现场评分、提出整改意见
    READ_INSPECTIONS = "read_inspections"  # 督导检查的评分与排名
    READ_REGISTER = "read_register"  # 一表通基础台账（人房企）, personal values masked
    EDIT_REGISTER = "edit_register"  # 录入、更新基础台账
    UNMASK_PERSONAL = "unmask_personal"  # 查看未脱敏的身份证号、电话（每次都记入日志）
    READ_FORMS = "read_forms"  # 一表通表单任务、填报情况和减负成效
    ISSUE_FORMS = "issue_forms"  # 部门下发表单任务（哪张表、哪些社区、何时起、几个工作日内报）
    FILL_FORMS = "fill_forms"  # 社区、网格员填报当日表单
    EXPORT_FORMS = "export_forms"  # 导出部门原样报表（含完整个人信息，每次都记入日志）
    APPROVE_FORMS = "approve_forms"  # 报表准入：审核部门新报表（复用已登记字段，重复采集的退回）


class Reach(StrEnum):
    NONE = "-"
    OWN = "own"
    UNIT = "unit"
    SCOPE = "scope"
    ALL = "all"


_COLUMNS = (
    Role.CITIZEN,
    Role.GRID_WORKER,
    Role.STREET_OFFICER,
    Role.DEPARTMENT_OFFICER,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDITOR,
    Role.CONNECTOR,
)

# A connector (an inbound system, authenticated by its own key) only files reports in its district.
# action               citizen  grid_worker street_officer department_officer dispatcher supervisor leader admin security_admin auditor connector
_TABLE = """
read_geography         -        scope       scope          scope              scope      scope      scope  all   all            all     -
import_geography       -        -           -              -                  -          -          -      all   -              -       -
read_people            own      own         scope          own                scope      scope      scope  all   all            all     -
manage_people          -        -           -              -                  -          -          -      -     all            -       -
manage_directory       -        -           -              -                  -          -          -      all   -              -       -
read_units             -        all         all            all                all        all        all    all   all            all     -
read_audit             -        -           scope          -                  scope      scope      scope  -     -              all     -
manage_own_tokens      own      own         own            own                own        own        own    own   own            own     -
read_cases             own      scope       scope          unit               scope      scope      scope  all   -              -       -
report_case            own      scope       scope          -                  scope      scope      -      all   -              -       scope
verify_case            -        scope       -              -                  scope      -          -      all   -              -       -
register_case          -        -           -              -                  scope      -          -      all   -              -       -
dispatch_case          -        -           -              -                  scope      -          -      all   -              -       -
handle_case            -        -           unit           unit               -          -          -      -     -              -       -
check_case             -        scope       -              -                  scope      scope      -      all   -              -       -
manage_case            -        -           -              -                  scope      scope      -      all   -              -       -
attach_photo           own      scope       scope          unit               scope      scope      -      all   -              -       -
read_ledger            -        -           unit           unit               scope      scope      scope  all   -              -       -
manage_ledger          -        -           -              -                  -          scope      -      all   -              -       -
report_progress        -        -           unit           unit               -          -          -      all   -              -       -
manage_calendar        -        -           -              -                  -          -          -      all   -              -       -
manage_connectors      -        -           -              -                  -          -          -      all   -              -       -
instruct               -        -           -              -                  -          -          scope  all   -              -       -
read_assessment        -        -           scope          unit               scope      scope      scope  all   -              -       -
import_cases           -        -           -              -                  -          -          -      all   -              -       -
manage_pushes          -        -           -              -                  -          -          -      all   -              -       -
read_bulletins         -        -           -              -                  scope      scope      scope  all   -              -       -
inspect                -        -           -              -                  -          scope      -      all   -              -       -
read_inspections       -        -           scope          -                  scope      scope      scope  all   -              -       -
read_register          -        scope       scope          -                  -          scope      scope  all   -              -       -
edit_register          -        scope       scope          -                  -          -          -      all   -              -       -
unmask_personal        -        scope       scope          -                  -          -          -      all   -              -       -
read_forms             -        scope       scope          unit               -          scope      scope  all   -              -       -
issue_forms            -        -           -              unit               -          -          -      all   -              -       -
fill_forms             -        scope       scope          -                  -          -          -      all   -              -       -
export_forms           -        -           -              unit               -          -          -      all   -              -       -
approve_forms          -        -           -              -                  -          scope      -      all   -              -       -
"""


def _parse(table: str) -> dict[tuple[Role, Action], Reach]:
    rules: dict[tuple[Role, Action], Reach] = {}
    for line in table.strip().splitlines():
        action, *cells = line.split()
        if len(cells) != len(_COLUMNS):
            raise ValueError(f"permission row {action!r} has {len(cells)} cells, expected {len(_COLUMNS)}")
        for role, cell in zip(_COLUMNS, cells, strict=True):
            rules[(role, Action(action))] = Reach(cell)
    return rules


RULES: dict[tuple[Role, Action], Reach] = _parse(_TABLE)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, an integration token's user, or nobody (anonymous)."""

    user_id: int | None
    username: str
    role: Role | None
    scope_code: str | None = None
    unit_id: int | None = None
    source: str | None = None  # the connector id of an inbound system (role connector)
    display_name: str = ""  # the person's name (吴刚), shown wherever people read who acted

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def name(self) -> str:
        """Who acted, as people read it: the person's name, else the account or system name."""
        return self.display_name or self.username


ANONYMOUS = Actor(user_id=None, username="anonymous", role=None)
SYSTEM = Actor(user_id=None, username="system", role=Role.ADMIN, scope_code=None)


@dataclass(frozen=True)
class ScopeFilter:
    """How a list query must be narrowed: by area-code prefix, by owner, or not at all."""

    area_prefix: str | None = None
    owner_id: int | None = None
    unit_id: int | None = None
    everything: bool = False


def reach(actor: Actor, action: Action) -> Reach:
    if actor.role is None:
        return Reach.NONE
    return RULES[(actor.role, action)]


def _refuse(actor: Actor, action: Action) -> None:
    if actor.is_anonymous:
        raise NotAuthenticated("请先登录")
    raise Forbidden(f"当前角色无权执行此操作（{action.value}）")


def authorize(
    actor: Actor,
    action: Action,
    *,
    area_code: str | None = None,
    owner_id: int | None = None,
    unit_id: int | None = None,
) -> None:
    """Allow or refuse one action on one record, by the table above."""
    granted = reach(actor, action)
    if granted is Reach.NONE:
        _refuse(actor, action)
    if granted is Reach.ALL:
        return
    if granted is Reach.OWN and owner_id is not None and owner_id == actor.user_id:
        return
    if granted is Reach.UNIT and unit_id is not None and unit_id == actor.unit_id:
        return
    if granted is Reach.SCOPE and _in_scope(actor, area_code, owner_id):
        return
    raise NotFound("未找到该记录，或不在您的数据范围内")


def allows(
    actor: Actor,
    action: Action,
    *,
    area_code: str | None = None,
    owner_id: int | None = None,
    unit_id: int | None = None,
) -> bool:
    """`authorize` as a yes or no: for a reader filtering records one by one (the live stream)."""
    try:
        authorize(actor, action, area_code=area_code, owner_id=owner_id, unit_id=unit_id)
    except (Forbidden, NotAuthenticated, NotFound):
        return False
    return True


def _in_scope(actor: Actor, area_code: str | None, owner_id: int | None) -> bool:
    if owner_id is not None and owner_id == actor.user_id:
        return True
    return actor.scope_code is not None and area_code is not None and is_within(area_code, actor.scope_code)


def scope_filter(actor: Actor, action: Action) -> ScopeFilter:
    """The narrowing a list query must apply for this actor and action."""
    granted = reach(actor, action)
    if granted is Reach.NONE:
        _refuse(actor, action)
    if granted is Reach.ALL:
        return ScopeFilter(everything=True)
    if granted is Reach.UNIT:
        return ScopeFilter(unit_id=actor.unit_id if actor.unit_id is not None else -1, owner_id=actor.user_id)
    if granted is Reach.OWN or actor.scope_code is None:
        return ScopeFilter(owner_id=actor.user_id if actor.user_id is not None else -1)
    return ScopeFilter(area_prefix=scope_prefix(actor.scope_code), owner_id=actor.user_id)
