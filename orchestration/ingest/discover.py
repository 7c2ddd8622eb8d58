"""Finding the batches in the landing zone, and refusing anything outside it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.contracts import ENTITIES, FILE_FORMATS, Entity


@dataclass(frozen=True)
class DeliveredFile:
    entity: Entity
    path: Path  # as found in the landing zone (may be a link)
    file_name: str  # path relative to the entity folder, the name reported everywhere

    @property
    def file_format(self) -> str | None:
        suffix = self.path.suffix.lower().lstrip(".")
        return suffix if suffix in FILE_FORMATS else None


def entity_files(landing_dir: Path, entity: Entity) -> list[DeliveredFile]:
    """Every delivered file of an entity, in file-name order (the order batches are loaded in).

    Hidden files (a leading dot) are skipped: they are uploads still in progress by convention.
    Links are listed, not followed here: `is_inside` decides whether they may be read.
    """
    folder = landing_dir / entity.source / entity.name
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue
            path = Path(root) / name
            found.append(DeliveredFile(entity, path, path.relative_to(folder).as_posix()))
        # a linked folder is not walked into; report its files as one refused entry instead
        for d in list(dirs):
            if (Path(root) / d).is_symlink():
                path = Path(root) / d
                found.append(DeliveredFile(entity, path, path.relative_to(folder).as_posix()))
                dirs.remove(d)
    return sorted(found, key=lambda f: f.file_name)


def strays(landing_dir: Path, entities: tuple[Entity, ...] = ENTITIES) -> list[str]:
    """What lies in the landing zone where no entity's files are looked for (`support/ticket/`,
    `Sales/`, a file beside the source folders), as paths relative to it, folders ending in `/`:
    nothing there is read, so a misnamed delivery folder is named rather than passed over."""
    if not landing_dir.is_dir():
        return []
    known = {e.source: set() for e in entities}
    for e in entities:
        known[e.source].add(e.name)
    found = []
    for top in sorted(landing_dir.iterdir()):
        if top.name.startswith("."):
            continue
        if top.name not in known or not top.is_dir():
            found.append(top.name + ("/" if top.is_dir() else ""))
            continue
        for inner in sorted(top.iterdir()):
            if not inner.name.startswith(".") and (inner.name not in known[top.name] or not inner.is_dir()):
                found.append(f"{top.name}/{inner.name}" + ("/" if inner.is_dir() else ""))
    return found


def is_inside(landing_dir: Path, path: Path) -> bool:
    """True when the file really lies in the landing zone (no `..`, no link leading out of it)."""
    try:
        path.resolve(strict=True).relative_to(landing_dir.resolve())
    except (ValueError, OSError):
        return False
    return path.resolve().is_file()


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def sniff_compression(path: Path) -> str | None:
    """Name the compression of a file whose bytes say it is compressed, whatever its name."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    return None
