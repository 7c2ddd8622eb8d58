"""Running the real pipeline (ingest, dbt build, checks, publish) for tests, and sharing its builds."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from orchestration.runner import RunOutcome, run_build
from orchestration.settings import Settings


def settings_for(landing: Path, warehouse: Path, as_of: str | None = None, **overrides) -> Settings:
    """The settings of a test run: passed, never read from the environment."""
    return Settings(
        landing_dir=Path(landing).resolve(),
        warehouse_dir=Path(warehouse).resolve(),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        **overrides,
    )


def build(landing: Path, warehouse: Path, as_of: str | None = None, **overrides) -> tuple[Settings, RunOutcome]:
    """The build job in this process, on the warehouse's own Dagster instance, as `cx360 run` runs it."""
    settings = settings_for(landing, warehouse, as_of, **overrides)
    return settings, run_build(settings)


def cx360(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real `cx360` command, in a clean environment (plus `env`)."""
    exe = Path(sys.executable).with_name("cx360")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CX360_", "DAGSTER_"))}
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=clean | (env or {}), capture_output=True, text=True, timeout=900
    )


def stop(server: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a server a test started: SIGTERM, then SIGKILL if it has not exited after `timeout`.
    A test must not fail on how its helper process ends (a process started while SIGTERM was
    ignored, as Dagster left it in a test worker before runner._sigterm_kept, ignores it too)."""
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def shared_build(tmp_path_factory, name: str, make: Callable[[Path], dict]) -> dict:
    """Build once per test session, whichever xdist worker asks first; the others wait and read it.

    `make(folder)` builds into folder and returns what the tests need, as JSON; a folder left by an
    interrupted attempt is built again.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of this session
    folder, done = base / name, base / f"{name}.json"
    with FileLock(str(base / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            done.write_text(json.dumps(make(folder)))
    return json.loads(done.read_text())
