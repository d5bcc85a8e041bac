"""Roles (角色) of govgrid users. Labels are shown to users; the enum values are stored."""

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    GRID_WORKER = "grid_worker"
    STREET_OFFICER = "street_officer"
    DEPARTMENT_OFFICER = "department_officer"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    LEADER = "leader"
    ADMIN = "admin"  # 系统管理员: the system's configuration, never accounts nor the audit log
    SECURITY_ADMIN = "security_admin"  # 安全管理员: accounts, roles and scopes, locks
    AUDITOR = "auditor"  # 安全审计员: reads the whole audit log and verifies its chains, changes nothing
    CONNECTOR = "connector"  # an inbound system pushing with its connector key; never a person's account


ROLE_LABEL = {
    Role.CITIZEN: "市民",
    Role.GRID_WORKER: "网格员",
    Role.STREET_OFFICER: "街道工作人员",
    Role.DEPARTMENT_OFFICER: "部门工作人员",
    Role.DISPATCHER: "指挥中心派遣员",
    Role.SUPERVISOR: "督查人员",
    Role.LEADER: "领导",
    Role.ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDITOR: "安全审计员",
    Role.CONNECTOR: "外部系统",
}
PERSON_ROLES = tuple(role for role in Role if role is not Role.CONNECTOR)
# 三员分立 (等保 level 3): the three administrators are three accounts of three roles, each unable to do
# the others' work; their accounts are made and changed only at the server's console, never on the web
ADMINISTRATORS = (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)
