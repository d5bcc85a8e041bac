"""Reading message files. Two labelled formats are accepted, told apart by their header:

- segmented: `text_segmented,label` (words separated by spaces, stop words removed);
- raw: `留言主题,留言详情,一级标签` (and any other columns), cut by `segment.training_tokens`.

Errors name the file, the row and the column."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from govgrid.domain.worktime import CHINA
from govgrid.nlp.hotspots import Message
from govgrid.nlp.segment import training_tokens

SUBJECT, BODY, LABEL = "留言主题", "留言详情", "一级标签"
SEGMENTED, SEGMENTED_LABEL = "text_segmented", "label"
MAX_FIELD = 1_000_000  # characters in one cell


class MessageFileError(ValueError):
    pass


@dataclass(frozen=True)
class LabelledFile:
    name: str
    kind: str  # segmented | raw
    documents: list[list[str]]
    labels: list[str]
    sha256: str

    def describe(self) -> dict[str, object]:
        return {"file": self.name, "format": self.kind, "rows": len(self.labels), "sha256": self.sha256}


def message_text(subject: str, body: str) -> str:
    """A message as the model reads it: the subject, then the body."""
    return f"{subject.strip()} {body.strip()}".strip()


def open_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    csv.field_size_limit(MAX_FIELD)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            return [h.strip() for h in (reader.fieldnames or [])], rows
    except FileNotFoundError:
        raise MessageFileError(f"文件 {path} 不存在") from None
    except UnicodeDecodeError as exc:
        raise MessageFileError(f"{path} 不是 UTF-8 编码的 CSV（第 {exc.start} 字节）") from None
    except csv.Error as exc:
        raise MessageFileError(f"{path} 不是有效的 CSV：{exc}") from None


def read_labelled(path: Path) -> LabelledFile:
    header, rows = open_rows(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if SEGMENTED in header and SEGMENTED_LABEL in header:
        kind, label_field = "segmented", SEGMENTED_LABEL
    elif {SUBJECT, BODY, LABEL} <= set(header):
        kind, label_field = "raw", LABEL
    else:
        raise MessageFileError(
            f"{path} 的表头须为 {SEGMENTED},{SEGMENTED_LABEL}（已分词）或含 {SUBJECT}、{BODY}、{LABEL}（原始留言），"
            f"实际为：{','.join(header)[:200]}"
        )
    documents, labels = [], []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        label = (row.get(label_field) or "").strip()
        if not label:
            raise MessageFileError(f"{path} 第 {number} 行：{label_field} 为空")
        if kind == "segmented":
            words = (row.get(SEGMENTED) or "").split()
        else:
            words = training_tokens(message_text(row.get(SUBJECT) or "", row.get(BODY) or ""))
        if not words:
            raise MessageFileError(f"{path} 第 {number} 行：留言内容为空")
        documents.append(words)
        labels.append(label)
    if not labels:
        raise MessageFileError(f"{path} 没有数据行")
    return LabelledFile(path.name, kind, documents, labels, digest)


def read_messages(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A file to classify: its header and rows; it must have 留言主题 and 留言详情."""
    header, rows = open_rows(path)
    missing = [c for c in (SUBJECT, BODY) if c not in header]
    if missing:
        raise MessageFileError(f"{path} 缺少列：{'、'.join(missing)}（表头：{','.join(header)[:200]}）")
    return header, rows


_MOMENT = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*$")


def read_moment(text: str, where: str) -> datetime:
    """ "2017-06-08 17:31:20", "2020/1/8 9:32:33" or a bare date, as Beijing time."""
    m = _MOMENT.match(text or "")
    if not m:
        raise MessageFileError(f"{where}：时间“{(text or '')[:30]}”无法识别（应如 2020/1/8 9:32:33）")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=CHINA)
    except ValueError:
        raise MessageFileError(f"{where}：时间“{text[:30]}”不存在") from None


def read_hotspot_messages(path: Path) -> list[Message]:
    """Messages with their time, sender and support (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 点赞数, 反对数;
    the user and the counts may be absent)."""
    header, rows = open_rows(path)
    missing = [c for c in ("留言编号", SUBJECT, "留言时间") if c not in header]
    if missing:
        raise MessageFileError(f"{path} 缺少列：{'、'.join(missing)}")
    out = []
    for number, row in enumerate(rows, start=2):
        where = f"{path} 第 {number} 行"
        out.append(
            Message(
                id=(row.get("留言编号") or "").strip(),
                user=(row.get("留言用户") or "").strip() or f"row{number}",
                subject=row.get(SUBJECT) or "",
                body=row.get(BODY) or "",
                at=read_moment(row.get("留言时间") or "", where),
                likes=_count(row.get("点赞数"), where, "点赞数"),
                against=_count(row.get("反对数"), where, "反对数"),
            )
        )
    return out


def _count(text: str | None, where: str, column: str) -> int:
    text = (text or "0").strip() or "0"
    if not text.isdigit():
        raise MessageFileError(f"{where}：{column}“{text[:20]}”不是非负整数")
    return int(text)
