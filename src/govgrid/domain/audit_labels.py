"""The audit log in Chinese: what each recorded action and kind of object is called. A case's steps and a
ledger item's events take the labels of their own tables, so a new step is named in one place."""

from __future__ import annotations

from govgrid.domain.history import history_label
from govgrid.domain.ledger_states import EVENT_LABEL, EventKind

ACTION_LABEL = {
    "session.login": "登录",
    "session.login_failed": "登录失败",
    "session.end_all": "结束全部会话",
    "user.create": "新建账号",
    "user.signup": "市民注册",
    "user.password": "修改密码",
    "user.enable": "启用账号",
    "user.disable": "停用账号",
    "user.unlock": "解除登录锁定",
    "token.issue": "签发接口令牌",
    "token.revoke": "吊销接口令牌",
    "connector.key_issue": "签发连接器密钥",
    "connector.key_revoke": "吊销连接器密钥",
    "calendar.set_year": "录入节假日安排",
    "geography.import": "导入区划网格",
    "gazetteer.add": "导入地名地址",
    "demo.build": "生成演示数据",
    "ledger.import": "导入台账",
    "unit.create": "新建单位",
    "responsibility.assign": "指定网格员",
    "register.unmask": "查看未脱敏个人信息",
}
ENTITY_LABEL = {
    "case": "案件",
    "ledger_item": "督办事项",
    "user": "账号",
    "api_token": "接口令牌",
    "connector_key": "连接器密钥",
    "calendar_year": "工作日历",
    "area": "区划",
    "gazetteer": "地名地址库",
    "org_unit": "单位",
    "responsibility_grid": "责任网格",
    "register_entry": "基础台账",
}


def action_label(action: str) -> str:
    """案件·派遣, 督办·申请销号, 登录 … (an unknown action shows as recorded)."""
    if action in ACTION_LABEL:
        return ACTION_LABEL[action]
    kind, _, rest = action.partition(".")
    if kind == "case" and rest:
        return f"案件·{history_label(rest)}"
    if kind == "ledger" and rest in {k.value for k in EventKind}:
        return f"督办·{EVENT_LABEL[EventKind(rest)]}"
    return action


def entity_label(entity_type: str) -> str:
    return ENTITY_LABEL.get(entity_type, entity_type)


SYSTEM_NAMES = {
    "system": "系统",
    "system:sweeper": "系统（督办巡检）",
    "system:ledger": "系统（台账预警）",
}


def who_label(name: str, connectors: dict[str, str] | None = None) -> str:
    """Who acted, as people read it: a person's recorded name as it is; the system's parts and inbound
    systems (connector:hotline12345) by their Chinese names."""
    if name in SYSTEM_NAMES:
        return SYSTEM_NAMES[name]
    if name.startswith("connector:"):
        connector = name.removeprefix("connector:")
        return (connectors or {}).get(connector, f"外部系统 {connector}")
    return name
