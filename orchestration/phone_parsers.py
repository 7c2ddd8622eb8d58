"""Phone keys of many numbers on every core: `phonenumbers` is pure Python, so one process parses
~30,000 numbers a second whatever the cores (a million customers' 911,000 numbers: 38 s of the full
build, the other core idle).

`keys()` parses in the calling process until the process has parsed `PARALLEL_AFTER` numbers (a
small warehouse never starts a worker), then hands each batch to a worker process: each DuckDB
thread that calls the function waits on its own worker without holding the GIL, so the batches
of a large table parse side by side. A worker is a plain `python -c` child reading JSON lines of
(phone, region) pairs on stdin and answering a JSON line of keys; it ends when its parent does
(its stdin closes).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from orchestration.phone_keys import e164

# numbers a process parses itself before it starts workers (~1.5 s of parsing)
PARALLEL_AFTER = 50_000

_ROOT = Path(__file__).resolve().parents[1]  # the folder `orchestration` is imported from
_SERVE = "import sys; sys.path.insert(0, sys.argv[1]); from orchestration.phone_parsers import serve; serve()"

Pair = tuple[str | None, str | None]


class Workers:
    """Worker processes, started as batches find none idle, up to `most`."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._idle: queue.Queue[subprocess.Popen] = queue.Queue()
        self._started: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def keys(self, pairs: list[Pair]) -> list[str | None]:
        worker = self._take()
        try:
            worker.stdin.write(json.dumps(pairs) + "\n")
            worker.stdin.flush()
            answer = worker.stdout.readline()
        except BrokenPipeError:
            answer = ""
        if not answer:
            with self._lock:
                self._started.remove(worker)  # another batch may start one in its place
            raise RuntimeError(f"a phone-number worker (pid {worker.pid}) ended with code {worker.poll()}")
        self._idle.put(worker)
        return json.loads(answer)

    def close(self) -> None:
        for worker in self._started:
            worker.stdin.close()
            worker.wait()

    def _take(self) -> subprocess.Popen:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._started) < self._most:
                worker = subprocess.Popen(
                    [sys.executable, "-c", _SERVE, str(_ROOT)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                )
                self._started.append(worker)
                return worker
        return self._idle.get()  # waits without the GIL


_state_lock = threading.Lock()
_parsed = 0
_workers: Workers | None = None
_owner = os.getpid()  # a forked child starts its own workers, not its parent's


def keys(pairs: list[Pair]) -> list[str | None]:
    """The E.164 key of each (phone, region) pair (phone_keys.e164), in order."""
    global _parsed, _workers, _owner
    with _state_lock:
        if _owner != os.getpid():
            _owner, _parsed, _workers = os.getpid(), 0, None
        _parsed += len(pairs)
        if _parsed > PARALLEL_AFTER and _workers is None:
            _workers = Workers(most=min(len(os.sched_getaffinity(0)), 8))
        workers = _workers
    if workers is None:
        return [e164(p, r) for p, r in pairs]
    return workers.keys(pairs)


def serve() -> None:
    """A worker: a JSON line of pairs in, a JSON line of their keys out, until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which closes our stdin
    for line in sys.stdin:
        sys.stdout.write(json.dumps([e164(p, r) for p, r in json.loads(line)]) + "\n")
        sys.stdout.flush()
