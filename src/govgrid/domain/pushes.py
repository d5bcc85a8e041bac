"""What each group robot accepts, exactly (issue 11): 企业微信 markdown of at most 4096 bytes; 钉钉 markdown
with its 加签 (a timestamp in milliseconds and the HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret,
base64, URL-encoded, added to the URL). Both take about 20 messages a minute per robot: a destination sends
at most that many, and when more are waiting it merges them into one digest rather than fall behind."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import quote_plus

WECOM_LIMIT = 4096  # bytes of markdown content
DINGTALK_LIMIT = 20000  # characters of markdown text (钉钉's own limit is about this)
PER_MINUTE = 20  # messages a robot takes in a minute
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


class Platform(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    EMAIL = "email"  # addresses, sent through the deployment's mail relay (GOVGRID_SMTP_URL)


PLATFORM_LABEL = {
    Platform.WECOM: "企业微信群机器人",
    Platform.DINGTALK: "钉钉群机器人",
    Platform.EMAIL: "电子邮件",
}
ADDRESS = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_RECIPIENTS = 20


@dataclass(frozen=True)
class Message:
    title: str
    lines: tuple[str, ...]
    link: str = ""


INERT = str.maketrans(
    {"<": "＜", ">": "＞", "[": "［", "]": "］", "(": "（", ")": "）", "`": "'", "*": "＊", "#": "＃"}
)


def inert(text: str) -> str:
    """Text people typed (a case's title) made plain in markdown: no links, mentions (<@all>) or markup."""
    return " ".join(text.translate(INERT).split())


def markdown(message: Message) -> str:
    text = f"### {inert(message.title)}\n" + "\n".join(f"> {inert(line)}" for line in message.lines)
    return text + (f"\n[查看详情]({message.link})" if message.link else "")


def digest(messages: list[Message]) -> Message:
    """Many waiting messages as one: each as a line, so none is dropped and the robot's limit is kept."""
    if len(messages) == 1:
        return messages[0]
    return Message(
        f"汇总：{len(messages)} 条消息", tuple(f"{m.title}：{'；'.join(m.lines)}" for m in messages)
    )


def _cut(text: str, limit_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit_bytes:
        return text
    note = "\n…（内容过长，余下略，请登录平台查看）".encode()
    return data[: limit_bytes - len(note)].decode("utf-8", errors="ignore") + note.decode()


def wecom_payload(message: Message) -> dict[str, object]:
    return {"msgtype": "markdown", "markdown": {"content": _cut(markdown(message), WECOM_LIMIT)}}


def dingtalk_payload(message: Message) -> dict[str, object]:
    text = markdown(message)[:DINGTALK_LIMIT]
    return {"msgtype": "markdown", "markdown": {"title": message.title[:64], "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    digest_bytes = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest_bytes))


def signed_url(url: str, secret: str, now: datetime) -> str:
    if not secret:
        return url
    timestamp = int(now.timestamp() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


def allowed_url(url: str, hosts: tuple[str, ...]) -> bool:
    """A robot's address: https to one of the robot hosts (catalogued as a setting), or http/https to a
    host named there explicitly (a test's loopback receiver)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname or any(c.isspace() for c in url):
        return False
    return parts.hostname in hosts and (
        parts.scheme == "https" or parts.hostname in ("127.0.0.1", "localhost")
    )


def recipients(text: str) -> list[str]:
    """An email destination's addresses: separated by commas, semicolons or spaces; refused naming the bad one."""
    from govgrid.domain.errors import InvalidInput

    found = [part for part in re.split(r"[,，;；\s]+", text.strip()) if part]
    if not found or len(found) > MAX_RECIPIENTS:
        raise InvalidInput(f"请填写 1–{MAX_RECIPIENTS} 个邮箱地址（以逗号分隔）", field="url")
    for address in found:
        if not ADDRESS.match(address):
            raise InvalidInput(f"邮箱地址“{address[:80]}”无效", field="url")
    return found


def email_text(message: Message) -> tuple[str, str]:
    """(subject, plain-text body) of a message sent as an email: people's text stays text."""
    subject = " ".join(message.title.split())[:200]
    body = "\n".join(
        [message.title, "", *message.lines, *([f"\n查看：{message.link}"] if message.link else [])]
    )
    return subject, body


def room(sent_in_last_minute: int) -> int:
    """How many messages may go now without passing the robot's limit."""
    return max(0, PER_MINUTE - sent_in_last_minute)


def retry_delay(failures: int) -> timedelta:
    return RETRY_AFTER[min(failures, len(RETRY_AFTER)) - 1] if failures else timedelta(0)
