"""Wall time and peak memory of one command together with every process it starts.

`cx360 run` starts dbt as a subprocess, so the memory that counts is that of the whole process tree.
A thread samples the tree every `interval` seconds with psutil and keeps the largest SUM of the RSS of
its processes (shared pages are counted once per process: an upper bound of what the tree needs).
As a cross-check the kernel's own figure is kept too: the command is reaped with `os.wait4`, whose
`ru_maxrss` is what `getrusage(RUSAGE_CHILDREN)` would report for this one command (the largest RSS
any single process of the tree reached; a lower bound of the tree's peak, never missed between samples).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil


@dataclass
class Measured:
    command: list[str]
    returncode: int
    started_at: float  # epoch seconds, when the process was started
    seconds: float  # wall time, start of the process to its exit
    peak_tree_rss_bytes: int  # max over samples of the summed RSS of the process and its descendants
    peak_at_seconds: float  # when that peak was seen, from the start
    max_single_rss_bytes: int  # ru_maxrss of wait4 (KiB on Linux, converted)
    samples: int
    log: str  # stdout and stderr of the command

    def as_dict(self) -> dict:
        return asdict(self)


def tree_rss(root: psutil.Process) -> int:
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):  # ended since the listing
            total += p.memory_info().rss
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.start_time = time.perf_counter()
        self.peak = 0
        self.peak_at = 0.0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            rss = tree_rss(self.root)
            self.samples += 1
            if rss > self.peak:
                self.peak, self.peak_at = rss, time.perf_counter() - self.start_time
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _kill_tree(pid: int) -> None:
    try:
        root = psutil.Process(pid)
        procs = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()


def run_measured(command: list[str], log_path: Path, env: dict | None = None, interval: float = 0.1) -> Measured:
    """Run command (output to log_path), timing it and sampling its process tree's memory."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started_at, start = time.time(), time.perf_counter()
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        sampler = _Sampler(proc.pid, interval)
        sampler.start_time = start
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: do not leave a run (or its dbt) behind
            _kill_tree(proc.pid)
            proc.wait()
            sampler.stop()
            raise
        seconds = time.perf_counter() - start
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    return Measured(
        command=[str(c) for c in command],
        returncode=proc.returncode,
        started_at=started_at,
        seconds=seconds,
        peak_tree_rss_bytes=sampler.peak,
        peak_at_seconds=sampler.peak_at,
        max_single_rss_bytes=usage.ru_maxrss * 1024,
        samples=sampler.samples,
        log=str(log_path),
    )
