"""拉出单子: a work plan's text, read safely (size and encoding checked), drafted into rows. The command
`govgrid ledger draft` and the review page both read through here."""

from __future__ import annotations

MAX_PLAN_BYTES = 2 * 1024 * 1024  # a plan is a few pages of text: 2 MB is generous


class PlanTextError(ValueError):
    pass


def read_plan(data: bytes, name: str = "plan") -> str:
    """The text of an uploaded or pasted plan: UTF-8 (with or without BOM) or GB18030, at most 2 MB."""
    if len(data) > MAX_PLAN_BYTES:
        raise PlanTextError(f"{name} 超过 {MAX_PLAN_BYTES // 1024 // 1024} MB，不像一份工作方案的文本")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PlanTextError(f"{name} 不是 UTF-8 或 GB18030 编码的文本")
    if "\x00" in text:
        raise PlanTextError(f"{name} 含有二进制内容，请提供纯文本（.txt）")
    if not text.strip():
        raise PlanTextError(f"{name} 是空的")
    return text
