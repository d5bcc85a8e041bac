"""Finding the reference data folder (../shared) that the demo district is built from."""

from __future__ import annotations

from pathlib import Path

from govgrid.domain.errors import NotFound

_SOURCE_ROOT = Path(__file__).resolve().parents[4]  # the checkout holding src/ (editable installs)


def candidate_dirs(configured: Path | None) -> list[Path]:
    if configured is not None:
        return [configured]
    cwd = Path.cwd()
    return [cwd / "shared", cwd.parent / "shared", _SOURCE_ROOT.parent / "shared"]


def reference_file(configured: Path | None, relative: str) -> Path:
    """The first existing shared/<relative>; else a clear error naming the file and how to provide it."""
    for folder in candidate_dirs(configured):
        path = folder / relative
        if path.is_file():
            return path
    tried = "、".join(str(d / relative) for d in candidate_dirs(configured))
    raise NotFound(
        f"找不到演示区所需的参考数据文件 {relative}（已查找：{tried}）。"
        f"请把 shared 参考数据目录放在项目旁边，或设置 GOVGRID_SHARED_DIR 指向它。",
        field="shared_dir",
    )
