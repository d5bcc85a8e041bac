"""Email destinations' sender: one message to its addresses through the deployment's mail relay
(GOVGRID_SMTP_URL: `smtp://host:port`, `smtp://user:password@host:587?starttls=1` or `smtps://…`), From
GOVGRID_MAIL_FROM. It answers like a robot does: (250, "") when the relay took it, else the relay's code and
words (or 0 and why it could not connect), so the outbox records, shows and retries a failure the same way."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from govgrid.domain.errors import InvalidInput

Mail = Callable[[list[str], str, str], tuple[int, str]]


def smtp_sender(url: str, sender: str, timeout: float = 10) -> Mail:
    """A sender through the relay at `url` (checked here, at start-up)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidInput("GOVGRID_SMTP_URL 须为 smtp://主机:端口 或 smtps://主机:端口", field="smtp_url")
    host, secure = parts.hostname, parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
    user, password = unquote(parts.username or ""), unquote(parts.password or "")

    def send(to: list[str], subject: str, body: str) -> tuple[int, str]:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, ", ".join(to), subject
        message.set_content(body)
        try:
            client = (smtplib.SMTP_SSL if secure else smtplib.SMTP)(host, port, timeout=timeout)
            with client:
                if starttls:
                    client.starttls(context=ssl.create_default_context())
                if user:
                    client.login(user, password)
                refused = client.send_message(message)
        except smtplib.SMTPResponseException as exc:
            said = exc.smtp_error
            return exc.smtp_code, (said.decode("utf-8", "replace") if isinstance(said, bytes) else said)[:300]
        except (smtplib.SMTPException, OSError) as exc:
            return 0, str(exc)[:300]
        if refused:
            return 550, "拒收：" + "、".join(sorted(refused))[:300]
        return 250, ""

    return send
