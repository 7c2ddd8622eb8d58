"""The serving folder's layout: one folder per publication, and a `current` pointer switched last.

    serving/
      current -> publications/<id>         a relative symlink: replacing it is the publication
      cx_marts.duckdb -> current/...       stable names for BI connections (and published.json,
      cx_restricted.duckdb -> current/...  cx_restricted.duckdb, dashboard)
      publications/<id>/
        cx_marts.duckdb                    self-contained tables: no path inside, any DuckDB >= 1.1
        cx_restricted.duckdb
        parquet/<table>/*.parquet          the BI tables, for other engines
        restricted/parquet/<table>/...     the restricted-only tables (but those kept in the database only)
        dashboard/                         the CX dashboard of this publication
        published.json                     the manifest; every path in it is relative to the folder

A publication is staged whole in `publications/.staging-<id>/`, renamed to its final name, and only
then does `current` move to it: a reader resolving `current` (or one of the stable names) sees the
old publication or the new one, all of its files together, never a mix. Nothing holds an absolute
path, so the folder can be copied (`cp -a`) or mounted anywhere. The publication before the current
one is kept for readers that still have it open; older ones, staging folders of killed publishes
and files of the layout before this one are swept by the next publish.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

LAYOUT = 2
CURRENT = "current"
PUBLICATIONS = "publications"
MANIFEST = "published.json"
BI_DB, RESTRICTED_DB = "cx_marts.duckdb", "cx_restricted.duckdb"
DASHBOARD = "dashboard"
_STAGING = ".staging-"
# names under serving/ that resolve through `current`
STABLE_NAMES = (BI_DB, RESTRICTED_DB, MANIFEST, DASHBOARD)
# what the layout before this one left directly under serving/
_LEGACY = ("parquet", "restricted", "published.previous.json")


def current_folder(serving: Path) -> Path | None:
    """The current publication's folder, or None before the first publish."""
    link = serving / CURRENT
    if not link.is_symlink():
        return None
    target = serving / os.readlink(link)
    return target if (target / MANIFEST).exists() else None


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text())


def staging_folder(serving: Path, publication_id: str) -> Path:
    folder = serving / PUBLICATIONS / f"{_STAGING}{publication_id}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def write_manifest(folder: Path, manifest: dict) -> None:
    """The manifest goes last into the staging folder: a folder without one is an unfinished publish."""
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps({"layout": LAYOUT, **manifest}, indent=1, default=str))
    os.replace(tmp, folder / MANIFEST)


def switch(serving: Path, staged: Path, publication_id: str) -> Path:
    """Make the staged publication the current one: rename it into place, then move `current` to it."""
    final = serving / PUBLICATIONS / publication_id
    os.replace(staged, final)
    _replace_symlink(serving / CURRENT, f"{PUBLICATIONS}/{publication_id}")
    for name in STABLE_NAMES:
        link = serving / name
        if (
            not link.is_symlink() and (final / name).exists()
        ):  # first publish, or a serving folder of the layout before this one
            if link.is_dir():
                shutil.rmtree(link)
            _replace_symlink(link, f"{CURRENT}/{name}")
    fsync(serving)
    return final


def sweep(serving: Path) -> list[Path]:
    """Remove what no reader can reach: publications older than the one before the current one,
    staging folders of killed publishes, temporary files, and the previous layout's files."""
    current = current_folder(serving)
    keep = set()
    if current is not None:
        keep.add(current.name)
        previous = read_manifest(current).get("previous")
        if previous:
            keep.add(previous)
    removed = []
    publications = serving / PUBLICATIONS
    for entry in sorted(publications.iterdir()) if publications.is_dir() else []:
        if entry.name not in keep:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            removed.append(entry)
    if current is not None:
        for name in _LEGACY:
            path = serving / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
                removed.append(path)
            elif path.exists():
                path.unlink()
                removed.append(path)
    for tmp in serving.glob(".*.tmp"):
        tmp.unlink()
        removed.append(tmp)
    return removed


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.link.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    os.replace(tmp, link)  # rename(2) replaces the link itself, atomically


def fsync(path: Path) -> None:
    """Force a file's bytes, or a folder's entries (a rename in it), to disk: they then survive a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
