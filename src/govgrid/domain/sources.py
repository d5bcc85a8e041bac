"""Who a report comes from, and the sender's own key for retries (idempotency).

Every case has a `source`: the connector id of the inbound system that pushed it (`hotline12345`), or
`user:<id>` for a person reporting through the pages, the JSON API or Open311. A retry is recognised by
(source, external id) only, so one sender can never reach or pre-empt another's numbers: a citizen who
guesses a 12345 order number files under their own source and can neither read that order nor squat it.
A person's retry key is a `client_id` — a UUID made by the client (a form, the offline queue)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role


class Channel(StrEnum):
    """Channels a person reports through. The others (hotline, video, task, epidemic, police) belong to
    the connectors of catalog/connectors.yaml and only their own connector files under them."""

    PATROL = "patrol"  # 网格员巡查 / staff on the spot
    CITIZEN = "citizen"  # 市民上报（网页）
    PHONE = "phone"  # 来电：staff entering a caller's report
    OPEN311 = "open311"  # GeoReport v2 clients
    INSPECTION = "inspection"  # 督导检查：现场评分提出的整改意见


CHANNEL_LABEL = {
    Channel.PATROL: "巡查",
    Channel.CITIZEN: "市民",
    Channel.PHONE: "来电",
    Channel.OPEN311: "Open311",
    Channel.INSPECTION: "督导检查",
}


def channel_labels(rules: CaseRules) -> dict[str, str]:
    """Every channel with its Chinese name: the person channels, then each connector's by its channel."""
    return {
        **{c.value: label for c, label in CHANNEL_LABEL.items()},
        **{c.channel: c.name for c in rules.connectors.values()},
    }


def source_of(actor: Actor) -> str:
    """The namespace of the actor's retry keys."""
    if actor.role is Role.CONNECTOR and actor.source:
        return actor.source
    if actor.user_id is not None:
        return f"user:{actor.user_id}"
    return f"operator:{actor.username}"[:40]


def client_id(value: object, field: str = "client_id") -> str | None:
    """A client's retry key: a UUID, returned in its canonical form (None when not given)."""
    if value is None or value == "":
        return None
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise InvalidInput(
            f"{field} 须为客户端生成的 UUID（如 {uuid.UUID(int=0)}），实为“{str(value)[:40]}”", field=field
        ) from None


def person_channel(actor: Actor, asked: str | None) -> str:
    """The channel a person files under: a citizen always 市民; staff 巡查 unless they say 来电."""
    if actor.role is Role.CITIZEN:
        if asked not in (None, "", Channel.CITIZEN.value):
            raise InvalidInput("市民上报的渠道只能是 citizen", field="channel")
        return Channel.CITIZEN.value
    if asked in (None, ""):
        return Channel.PATROL.value
    if asked not in (Channel.PATROL.value, Channel.PHONE.value, Channel.CITIZEN.value):
        raise InvalidInput(
            f"渠道“{str(asked)[:24]}”不能由人工上报（可选：patrol、phone、citizen）", field="channel"
        )
    return str(asked)
