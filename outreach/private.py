"""Files and folders only their owner can read: 0600 files, 0700 folders (the messages hold personal data)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["private_dir", "write_private"]


def private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents with mode 0700; folders that exist are left as they are."""
    missing: list[Path] = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)


def write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` with mode 0600 (``exclusive``: fail if it exists)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
        fh.write(data)
