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
    ADMIN = "admin"
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
    Role.CONNECTOR: "外部系统",
}
PERSON_ROLES = tuple(role for role in Role if role is not Role.CONNECTOR)
