"""Wall time, CPU time and peak memory of one command together with every process it starts.

`cx360 run` starts dbt as a subprocess, so the memory that counts is that of the whole process tree.
A thread samples the tree every `interval` seconds with psutil and keeps the largest SUM of the RSS of
its processes (shared pages are counted once per process: an upper bound of what the tree needs).
As a cross-check the kernel's own figure is kept too: the command is reaped with `os.wait4`, whose
`ru_maxrss` is what `getrusage(RUSAGE_CHILDREN)` would report for this one command (the largest RSS
any single process of the tree reached; a lower bound of the tree's peak, never missed between samples).

CPU time is sampled the same way, each process's own user + system seconds as last seen (`wait4`'s
figure misses the warm dbt, which dies with the run unreaped), with a timeline of the running total
so that a run's phases can be given their CPU seconds. Beside it, the machine's busy CPU seconds over
the same span: more than the tree's means something else shared the cores.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
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
    cpu_seconds: float = 0.0  # user + system seconds of every process of the tree, as last sampled
    machine_cpu_seconds: float = 0.0  # busy seconds of all the machine's cores over the same span
    # (epoch seconds, the tree's CPU seconds so far), about one a second: for CPU seconds per phase
    cpu_timeline: list[tuple[float, float]] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = asdict(self)
        del out["cpu_timeline"]  # ~one pair a second: summarised per phase by the caller
        return out

    def cpu_between(self, start: float, end: float) -> float:
        """The tree's CPU seconds between two epoch times (linear between samples)."""
        return _cumulative(self.cpu_timeline, end) - _cumulative(self.cpu_timeline, start)


def _cumulative(timeline: list[tuple[float, float]], at: float) -> float:
    if not timeline or at <= timeline[0][0]:
        return 0.0
    for (t0, c0), (t1, c1) in zip(timeline, timeline[1:], strict=False):
        if at <= t1:
            return c0 + (c1 - c0) * (at - t0) / (t1 - t0) if t1 > t0 else c1
    return timeline[-1][1]


def machine_busy_seconds() -> float:
    """Seconds all cores spent on anything but idling (or waiting for the disk, or being stolen by
    the hypervisor), since boot."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)


class _Sampler(threading.Thread):
    TIMELINE_STEP = 1.0  # seconds between two points of the CPU timeline

    def __init__(self, pid: int, interval: float):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.start_time = time.perf_counter()
        self.peak = 0
        self.peak_at = 0.0
        self.samples = 0
        self._cpu: dict[tuple[int, float], float] = {}  # (pid, start) -> CPU seconds last seen
        self.timeline: list[tuple[float, float]] = [(time.time(), 0.0)]
        self._halt = threading.Event()

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def run(self) -> None:
        while not self._halt.is_set():
            rss = self._sample()
            self.samples += 1
            if rss > self.peak:
                self.peak, self.peak_at = rss, time.perf_counter() - self.start_time
            now = time.time()
            if now - self.timeline[-1][0] >= self.TIMELINE_STEP:
                self.timeline.append((now, self.cpu_seconds))
            self._halt.wait(self.interval)
        self.timeline.append((time.time(), self.cpu_seconds))

    def _sample(self) -> int:
        """The tree's summed RSS; each process's CPU seconds noted on the way."""
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied), p.oneshot():
                total += p.memory_info().rss
                cpu = p.cpu_times()
                self._cpu[(p.pid, p.create_time())] = cpu.user + cpu.system
        return total

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
    """Run command (output to log_path), timing it and sampling its process tree's memory and CPU."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started_at, start, busy = time.time(), time.perf_counter(), machine_busy_seconds()
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
        busy = machine_busy_seconds() - busy
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
        cpu_seconds=sampler.cpu_seconds,
        machine_cpu_seconds=busy,
        cpu_timeline=sampler.timeline,
    )
