"""The run's warm dbt (orchestration/dbt_warm.py): real `cx360-dbt` commands, with and without it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration import dbt_warm
from orchestration.dbt_manifest import DBT_EXECUTABLE, parsed_vars
from orchestration.settings import DBT_PROJECT_DIR

PROJECT = str(DBT_PROJECT_DIR)
# with the vars the project was parsed with (dbt_manifest.prepare), so that dbt does not parse again
VARS = json.dumps(parsed_vars())
ON_PROJECT = ["--project-dir", PROJECT, "--profiles-dir", PROJECT, "--vars", VARS]


def dbt(tmp_path: Path, *args: str, **popen) -> subprocess.Popen:
    target = tmp_path / "dbt_target"
    dbt_warm.seed_target(target, DBT_PROJECT_DIR)  # the project's parse, as a run's target folder starts
    # dbt runs in tmp_path, and logs there: its default, <project>/logs, is the checkout, which
    # test_definitions reads for files written while the code location loads
    env = dict(os.environ, DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(tmp_path / "logs"))
    return subprocess.Popen([DBT_EXECUTABLE, *args], env=env, text=True, **popen)


def finished(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def listing(tmp_path: Path) -> tuple[int, list[str], set[int], int]:
    """`dbt ls` of one model: exit code, what it listed, the pids in its log lines, its own pid."""
    args = ("ls", *ON_PROJECT, "--log-format", "json", "--select", "mart_data_trust", "--resource-type", "model")
    proc = dbt(tmp_path, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, out, _ = finished(proc)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    listed = [ln["data"]["msg"] for ln in lines if ln["info"]["name"] == "PrintEvent"]
    return code, listed, {ln["info"]["pid"] for ln in lines}, proc.pid


def children(pid: int) -> set[int]:
    kids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            kids.add(int(stat.parent.name))
    return kids


def test_a_command_runs_in_a_fork_of_the_warm_dbt_with_the_same_output_and_exit_code(tmp_path, monkeypatch, capfd):
    """The same command, cold and on a warm dbt that rehearsed (`dbt ls` in the server before any
    fork): the same answer and exit code, and the rehearsal prints nothing, opens no database and
    writes nothing the command would not (the two folders hold the same files)."""
    cold_dir, warm_dir = tmp_path / "cold", tmp_path / "warm"
    cold_dir.mkdir()
    warm_dir.mkdir()
    monkeypatch.setenv(dbt_warm.SOCKET_ENV, str(tmp_path / "gone"))  # no server there: dbt runs itself
    cold = listing(cold_dir)
    bad = dbt(cold_dir, "nosuchcommand", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cold_bad = finished(bad)
    capfd.readouterr()
    with dbt_warm.serving(dbt_warm.rehearsal_of(warm_dir / "dbt_target", Path(PROJECT), json.loads(VARS))):
        warm = listing(warm_dir)
        warm_bad = finished(dbt(warm_dir, "nosuchcommand", stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    assert capfd.readouterr() == ("", "")
    assert cold[:2] == warm[:2] == (0, ["cx360.marts.trust.mart_data_trust"])
    assert cold[2] == {cold[3]}  # dbt ran in cx360-dbt itself
    assert len(warm[2]) == 1 and warm[3] not in warm[2]  # in a worker of the server
    assert cold_bad == warm_bad and warm_bad[0] == 2 and "No such command 'nosuchcommand'" in warm_bad[2]

    def files(root: Path) -> list[str]:
        return sorted(str(f.relative_to(root)) for f in root.rglob("*") if f.is_file())

    assert files(warm_dir) == files(cold_dir) and not [f for f in files(warm_dir) if f.endswith(".duckdb")]


def test_a_worker_ends_with_the_cx360_dbt_that_asked_for_it(tmp_path):
    """A step killed mid-query must not leave dbt writing to the warehouse."""
    query = "select sum(i) from range(100000000000) t(i)"  # minutes of work
    with dbt_warm.serving() as server:
        proc = dbt(tmp_path, "show", *ON_PROJECT, "--inline", query, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not children(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        (worker,) = children(server.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{worker}").exists()
        assert server.poll() is None  # the server stays for the run's next command


@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("setpriv"), reason="needs root to act as another user")
def test_the_warm_dbt_serves_only_its_own_user():
    """Its socket is abstract (no file, so no file permissions): the server checks who is asking."""
    ask = "from orchestration import dbt_warm; print(dbt_warm.run_on_server(['--version']))"
    with dbt_warm.serving():
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", ask]
        out = subprocess.run(
            as_nobody,
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
            env=dict(os.environ, PYTHONPATH=str(Path(PROJECT).parent)),
        )
    assert out.stdout.strip() == "None", out.stderr  # refused: cx360-dbt would run dbt itself
