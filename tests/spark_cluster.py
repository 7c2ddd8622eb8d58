"""A Spark standalone cluster on this machine: a master and its workers, each its own JVM, as
Spark's `sbin/start-master.sh` and `start-worker.sh` would start them (pyspark's wheel has the
launcher, `bin/spark-class`, and the jars). The driver is the dbt process that connects to it."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.pipeline import stop


@dataclass(frozen=True)
class Cluster:
    master_url: str
    logs: Path

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


@contextlib.contextmanager
def standalone(folder: Path, workers: int = 2, cores: int = 1, memory: str = "1g") -> Iterator[Cluster]:
    """Start the master, then `workers` workers of `cores` cores and `memory` each; wait until every
    worker has registered with the master; stop them all on the way out."""
    folder.mkdir(parents=True, exist_ok=True)
    home = _spark_home()
    env = os.environ | {"SPARK_HOME": str(home), "SPARK_LOG_DIR": str(folder), "SPARK_NO_DAEMONIZE": "1"}
    launcher = str(home / "bin" / "spark-class")
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        with open(folder / f"{name}.log", "wb") as log:
            processes.append(
                subprocess.Popen([launcher, *args], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
            )

    try:
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
              "--webui-port", str(free_port()))  # fmt: skip
        for n in range(1, workers + 1):
            start(f"worker-{n}", "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1",
                  "--cores", str(cores), "--memory", memory, "--webui-port", str(free_port()),
                  "--work-dir", str(folder / f"work-{n}"))  # fmt: skip
        cluster = Cluster(url, folder)
        deadline = time.monotonic() + 120
        while len(re.findall(r"Registering worker", cluster.log("master"))) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"the Spark cluster did not start: {cluster.log('master')[-2000:]}")
            time.sleep(0.5)
        yield cluster
    finally:
        for process in reversed(processes):
            stop(process, timeout=20)
