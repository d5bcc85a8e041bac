"""The 查询码 a reporter follows a case with, on the public page, together with the case number.

Twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^12 ≈ 8 × 10^17 codes, so
guessing is hopeless, all the more under the page's throttle. Shown as ABCD-EFGH-JKMN; typed in any case,
with or without the dashes."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12


SPACE = len(ALPHABET) ** LENGTH


def new_secret() -> str:
    """One draw from the operating system's CSPRNG over all codes, written in base 31: uniform like twelve
    separate draws, at one call instead of twelve (bulk intake makes one per case)."""
    number, chars = secrets.randbelow(SPACE), []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


def normalized(text: str) -> str:
    """What the reporter typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch not in " -－—_")[:32]


def shown(secret: str | None) -> str:
    if not secret:
        return ""
    return "-".join(secret[i : i + 4] for i in range(0, len(secret), 4))
