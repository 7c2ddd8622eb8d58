"""A warm dbt for one run: dbt imported once, each `cx360-dbt` command a fork of it.

Importing dbt costs ~2.4 s of CPU, more than the data-trust build does, and a run invokes dbt
twice. `serving(rehearsal)` starts a server for the length of a run: it imports dbt while the run
ingests, then forks a worker per command. Given a rehearsal (`rehearsal_of`), it first runs
`dbt ls` on the run's project, vars and parse: what the first command of a process pays once and
every fork then finds done (reading the profile and project, validating them against schemas dbt
builds on first use, the code that reads and writes the manifest, the adapter): the data-trust
build went from 3.2-4.0 s to 1.7-1.9 s. A parse the vars made stale is redone there, and saved
where the build reads it. `cx360-dbt` (dbt_child) finds the server's socket in
SOCKET_ENV, hands its stdin, stdout and stderr to the worker, so dagster-dbt reads dbt's log lines
as from any child, and exits with the worker's code. Without a server, or when it cannot be
reached, `cx360-dbt` runs dbt in its own process as before. A process that runs several builds
(the tests, a notebook) keeps one server for all of them (`keep=True`, as runner.run_build does):
~3.5 CPU-s of import and rehearsal a build saved; a `cx360 run` runs one build and ends.

Dying together: the server dies with the thread that started it, so with a `cx360 run`
(PR_SET_PDEATHSIG), a worker with the server, and a worker kills itself when its `cx360-dbt` ends
first (a cancelled step), so no dbt is left writing to the warehouse. SIGINT and SIGTERM to
`cx360-dbt` reach the worker.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

SOCKET_ENV = "CX360_DBT_SOCKET"
PARTIAL_PARSE = "partial_parse.msgpack"
_INT = struct.Struct("!i")  # a length, a pid, an exit code
_MAX_REQUEST = 1 << 20
_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


def rehearsal_of(target_dir: Path, project_dir: Path, dbt_vars: dict) -> dict:
    """The rehearsal of a run whose dbt commands use `target_dir` and `dbt_vars`: `dbt ls` of one
    model, writing no artifact, its log elsewhere."""
    argv = ["ls", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--quiet"]
    argv += ["--no-write-json", "--resource-type", "model", "--select", "mart_data_trust"]
    return {"argv": [*argv, "--vars", json.dumps(dbt_vars)], "target": str(target_dir), "seed": str(project_dir)}


def seed_target(target: Path, project_dir: Path) -> None:
    """A new dbt target folder starts from the project's own parse (dbt_manifest.prepare's), as
    dagster-dbt seeds a new warehouse's: dbt reads it and parses only what changed, provided the
    command's vars are those it was parsed with (dbt_manifest.parsed_vars)."""
    parse, seed = target / PARTIAL_PARSE, project_dir / "target" / PARTIAL_PARSE
    if not parse.exists() and seed.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed, parse)


# a server kept for this process's later runs (serving(keep=True)): (socket name, process)
_kept: list[tuple[str, subprocess.Popen]] = []


@contextlib.contextmanager
def serving(rehearsal: dict | None = None, keep: bool = False):
    """A server for this process's dbt commands while the block runs (yields its process, or None
    where there is none); its socket's name is put in SOCKET_ENV, which the dbt commands this process
    starts inherit. `rehearsal`: rehearsal_of(...). `keep`: the server outlives the block and serves
    the next `serving(keep=True)` of this process too (rehearsed for the first only: a fork finds
    dbt imported and warm, and parses its own target's project as any dbt command would); it dies
    with the thread that started it, as every server does."""
    if not sys.platform.startswith("linux"):  # PDEATHSIG, pidfds and abstract sockets are Linux's
        yield None
        return
    if keep and _kept and _kept[0][1].poll() is None:
        name, server = _kept[0]
    else:
        name, server = _start(rehearsal)
        if keep:
            _kept[:] = [(name, server)]
    before = os.environ.get(SOCKET_ENV)
    os.environ[SOCKET_ENV] = name
    try:
        yield server
    finally:
        if before is None:
            os.environ.pop(SOCKET_ENV, None)
        else:
            os.environ[SOCKET_ENV] = before
        if not keep:
            server.kill()
            server.wait()


def _start(rehearsal: dict | None) -> tuple[str, subprocess.Popen]:
    # an abstract socket: nothing on disk for a killed run to leave behind; the server serves this
    # user only (_same_user), as a private folder's socket would
    name = f"cx360-dbt-{os.getpid()}-{secrets.token_hex(8)}"
    # listening before the server starts: a command that comes before it is warm waits for it
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind("\0" + name)
        listener.listen(8)
        fd = listener.fileno()
        server = subprocess.Popen(
            [sys.executable, "-m", "orchestration.dbt_warm", str(fd), json.dumps(rehearsal)],
            stdin=subprocess.DEVNULL,
            pass_fds=[fd],
        )
    return name, server


def die_with_parent() -> bool:
    """Ask the kernel to kill this process when its parent dies; False if the parent is gone already."""
    if not sys.platform.startswith("linux"):
        return True
    import ctypes

    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    return os.getppid() == parent


# ---- the client: cx360-dbt ------------------------------------------------------------------------


def run_on_server(argv: list[str]) -> int | None:
    """Run dbt `argv` on the run's server; its exit code, or None when there is no server to run it."""
    name = os.environ.get(SOCKET_ENV)
    if not name:
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect("\0" + name)
        env = {k: v for k, v in os.environ.items() if k != SOCKET_ENV}
        request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": env, "client": os.getpid()}).encode()
        socket.send_fds(conn, [_INT.pack(len(request)) + request], [0, 1, 2])
        worker = _read_int(conn)
    except OSError:
        conn.close()
        return None
    if worker is None:  # the server ended before it forked: run dbt here
        conn.close()
        return None

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    code = _read_int(conn)
    return 1 if code is None else code  # the worker was killed before it could say


def _read_int(conn: socket.socket) -> int | None:
    data = b""
    while len(data) < _INT.size:
        chunk = conn.recv(_INT.size - len(data))  # a forwarded signal does not interrupt it (PEP 475)
        if not chunk:
            return None
        data += chunk
    return _INT.unpack(data)[0]


# ---- the server -----------------------------------------------------------------------------------


def _serve(fd: int, rehearsal: dict | None) -> None:
    if not die_with_parent():
        return
    listener = socket.socket(fileno=fd)
    import dbt.adapters.duckdb  # noqa: F401
    import dbt.cli.main  # noqa: F401
    import dbt.task.build  # noqa: F401

    import orchestration.dbt_child  # noqa: F401
    import orchestration.dbt_functions  # noqa: F401  (the DuckDB connections' plugin)

    if rehearsal:
        _rehearse(rehearsal)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    while True:
        conn, _ = listener.accept()
        if not _same_user(conn):
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 1
            try:
                code = _work(conn)
            finally:
                # what an ordinary exit runs (multiprocessing's finalizers release the semaphores dbt
                # made), without tearing down every module dbt imported: that takes most of a second
                atexit._run_exitfuncs()
                os._exit(code)
        conn.close()


def _rehearse(rehearsal: dict) -> None:
    """Run the rehearsal's dbt command in this process, before any fork (silently: what it prints
    is no one's). It opens no database connection, which a fork would otherwise inherit."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    from orchestration.dbt_templates import compiled_templates_kept

    target = Path(rehearsal["target"])
    compiled_templates_kept(target)  # as the command would keep them: its fork then finds them compiled
    seed_target(target, Path(rehearsal["seed"]))
    before = dict(os.environ)
    with tempfile.TemporaryDirectory() as logs, open(os.devnull, "w") as null:
        saved = [os.dup(1), os.dup(2)]
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        os.environ.update(DBT_TARGET_PATH=str(target), DBT_LOG_PATH=logs)
        try:
            dbtRunner().invoke(rehearsal["argv"])
        except Exception:  # noqa: BLE001, S110  (a rehearsal: the run's own command says what is wrong)
            pass
        finally:
            os.environ.clear()
            os.environ.update(before)
            for stream, fd in zip((1, 2), saved, strict=True):
                os.dup2(fd, stream)
                os.close(fd)
    if DuckDBConnectionManager._ENV is not None:  # a fork must open its own
        DuckDBConnectionManager._ENV = None


def _same_user(conn: socket.socket) -> bool:
    """Whether the peer runs as this user: an abstract socket has no file permissions to say so."""
    _pid, uid, _gid = _CREDENTIALS.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CREDENTIALS.size))
    return uid == os.getuid()


def _work(conn: socket.socket) -> int:
    """In a fork of the server: run one command as `cx360-dbt` would, and send its exit code."""
    if not die_with_parent():
        return 1
    head, fds, _, _ = socket.recv_fds(conn, _MAX_REQUEST, 3)
    size = _INT.unpack(head[: _INT.size])[0]
    body = head[_INT.size :]
    while len(body) < size:
        body += conn.recv(size - len(body))
    request = json.loads(body)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _end_with(request["client"])
    conn.sendall(_INT.pack(os.getpid()))
    from orchestration.dbt_child import run_dbt

    code = run_dbt(request["argv"])
    # dbt-duckdb closes its database at exit (checkpointing the command's writes into the file): done
    # before the exit code is sent, as the run opens the database next, and the client's end kills this
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        conn.sendall(_INT.pack(code))
    return code


def _end_with(client: int) -> None:
    """Kill this worker when the `cx360-dbt` that asked for it ends first."""
    try:
        handle = os.pidfd_open(client)
    except (AttributeError, OSError):
        return

    def watch():
        select.select([handle], [], [])
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), json.loads(sys.argv[2]) if len(sys.argv) > 2 else None)
