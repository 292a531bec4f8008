"""Unpacking the zips the engine builds (the Gradescope autograder, the student kit) as `unzip` would."""
from __future__ import annotations

import zipfile
from pathlib import Path


def extract(zip_path: Path, dest: Path) -> None:
    """Like `unzip`: files and folders, with the unix permission bits stored in the zip."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = dest / info.filename
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)
