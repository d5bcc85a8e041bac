"""Access logs never keep a secret a client put in a URL: Open311's `api_key` parameter (the spec puts it
there), a follow page's 查询码, a token."""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = re.compile(r"(?i)\b(api_key|secret|token|password)=([^&\s\"]*)")


def redact(text: str) -> str:
    """The text with every secret parameter's value masked — read after percent-decoding, so that
    `api%5Fkey=…` or `secre%74=…` is masked too."""
    from urllib.parse import unquote

    plain = unquote(text) if "%" in text else text
    return SECRET_PARAMETERS.sub(lambda m: f"{m.group(1)}=***", plain)


class RedactSecrets(logging.Filter):
    """Rewrites the path in uvicorn's access records (and any message) before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_redaction() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "govgrid"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
