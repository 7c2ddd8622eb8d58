"""cx360 benchmark: a full run, an incremental run, their peak memory, and DuckDB's ingestion floor.

    .venv/bin/python benchmarks/run.py --size 1000000        # or: make bench SIZE=1000000
    .venv/bin/python benchmarks/run.py --size 100000 --engine spark   # make bench ENGINE=spark SIZE=100000

Steps: generate a landing zone of SIZE customers; `cx360 run` into an empty warehouse (full run); the CX
dashboard built from its published BI database (build() alone, timed); DuckDB alone copies the same
landing files to Parquet (the floor); generate one more day of deliveries; `cx360 run` again on the same
warehouse (incremental); the floor again on that day's files. Prints a table of every figure against its
target and writes JSON to benchmarks/results/. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import psutil
from measure import Measured, run_measured
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS_DIR = HERE / "results"
GiB = 1024**3

TARGET_SIZE = 1_000_000  # the targets below are set for this many customers
TARGET_FULL_RUN_S = 180.0
TARGET_INCREMENTAL_SHARE = 0.15  # of the full run's time
TARGET_PEAK_BYTES = 6 * GiB
TARGET_INGEST_VS_FLOOR = 2.0
TARGET_DASHBOARD_S = 10.0  # issue 14: the CX dashboard builds in 10 s or less at a million customers
LAST_DAY = "2026-10-31"  # the last day of the generated data: the extra day comes after it

# piped (make, CI, a log file) rich would wrap the table at 80 columns
console = Console() if sys.stdout.isatty() else Console(width=140)


class BenchError(Exception):
    """Something the benchmark cannot go on without; the message says what to do."""


# --- what the cx360 command offers ---------------------------------------------------------------


def cx360_options() -> dict[str, set[str]]:
    """Option names of each `cx360` subcommand, read from the CLI definition itself."""
    try:
        import typer

        from orchestration.cli import app
    except Exception as e:  # a broken or half-edited cli.py
        raise BenchError(f"cannot import the cx360 CLI (orchestration/cli.py): {e}") from e
    group = typer.main.get_command(app)
    return {name: {o for p in cmd.params for o in p.opts} for name, cmd in group.commands.items()}


# --- the landing zone ----------------------------------------------------------------------------


def listing(landing: Path) -> dict[str, list[int]]:
    """Every file of the landing zone: relative path -> [size, mtime in ns]."""
    out = {}
    for path in sorted(landing.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(landing).as_posix()] = [st.st_size, st.st_mtime_ns]
    return out


def restore_base(landing: Path, base: dict[str, list[int]]) -> bool:
    """Remove files added after the base generation (an earlier run's extra day); False if a base file changed."""
    now = listing(landing)
    if any(now.get(rel) != meta for rel, meta in base.items()):
        return False
    for rel in set(now) - set(base):
        (landing / rel).unlink()
    return True


def prepare_landing(args, work: Path, cx360: str, env: dict) -> tuple[Measured | None, dict]:
    """A landing zone of args.size customers in its base state: reused when allowed, else generated."""
    landing, stamp_path = work / "landing", work / "landing.json"
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else None
    same = stamp is not None and stamp["customers"] == args.size and stamp["seed"] == args.seed
    if (args.keep or args.skip_generate) and same and landing.is_dir():
        if restore_base(landing, stamp["files"]):
            console.print(f"reusing the landing zone in {landing} ({args.size:,} customers, seed {args.seed})")
            return None, stamp["files"]
        console.print(f"[yellow]the kept landing zone in {landing} was changed: generating it again[/]")
    if args.skip_generate:
        raise BenchError(
            f"--skip-generate: no reusable landing zone of {args.size:,} customers (seed {args.seed}) in {landing}; "
            "run once with --keep to make one"
        )
    shutil.rmtree(landing, ignore_errors=True)
    stamp_path.unlink(missing_ok=True)
    step(f"generating {args.size:,} customers")
    cmd = [cx360, "generate", "--out", landing, "--customers", str(args.size), "--seed", str(args.seed)]
    m = checked(run_measured(cmd, work / "logs" / "generate.log", env), "cx360 generate")
    files = listing(landing)
    stamp_path.write_text(json.dumps({"customers": args.size, "seed": args.seed, "files": files}))
    return m, files


# --- reading what a run recorded -----------------------------------------------------------------


def entity_step_keys() -> set[str]:
    from orchestration.contracts import ENTITIES

    return {f"raw__{e.source}__{e.name}" for e in ENTITIES}


def phase_of(step_key: str, ingest_keys: set[str]) -> str:
    if step_key in ingest_keys:
        return "ingest"
    if "_gx_" in step_key:
        return "GX checks"
    if "dbt" in step_key:
        return "dbt build"
    if step_key.startswith("serving__") or step_key == "run_audit":
        return "publish"
    return "other steps"


def step_times(warehouse: Path, measured: Measured) -> dict | None:
    """The latest Dagster run of this warehouse (if it started after the measured command): its id,
    duration, seconds per step and per phase, from Dagster's own step statistics, and the CPU seconds
    the command's process tree spent in each phase (and before the Dagster run: start-up)."""
    started_after = measured.started_at
    if not (warehouse / "dagster" / "history").exists():
        return None
    from orchestration.runner import dagster_instance
    from orchestration.settings import Settings

    with dagster_instance(Settings(landing_dir=warehouse, warehouse_dir=warehouse)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return None
        run_id = runs[0].run_id
        stats = instance.get_run_stats(run_id)
        if not stats.start_time or stats.start_time < started_after:
            return None  # the command failed before its Dagster run started: this is an older run
        spans = {
            s.step_key: (s.start_time, s.end_time)
            for s in instance.get_run_step_stats(run_id)
            if s.start_time is not None and s.end_time is not None
        }
    steps = {key: end - start for key, (start, end) in spans.items()}
    ingest_keys = entity_step_keys()
    phases: dict[str, float] = {}
    phase_cpu: dict[str, float] = {"start-up": measured.cpu_between(measured.started_at, stats.start_time)}
    for key, (start, end) in spans.items():
        phase = phase_of(key, ingest_keys)
        phases[phase] = phases.get(phase, 0.0) + end - start
        phase_cpu[phase] = phase_cpu.get(phase, 0.0) + measured.cpu_between(start, end)
    run_s = stats.end_time - stats.start_time if stats.start_time and stats.end_time else None
    return {
        "run_id": run_id,
        "dagster_run_started_at": stats.start_time,
        "dagster_run_seconds": run_s,
        "phases": phases,
        "phase_cpu_seconds": phase_cpu,
        "steps": steps,
        "slowest_dbt_nodes": slowest_dbt_nodes(warehouse, run_id),
        "dbt_threads": dbt_threads(warehouse),
    }


def dbt_threads(warehouse: Path) -> int | None:
    """How many models the run's dbt built at once (its last invocation's, as dbt recorded it)."""
    try:
        return json.loads((warehouse / "dbt_target" / "run_results.json").read_text())["args"]["threads"]
    except (OSError, KeyError, ValueError):
        return None


SLOWEST = 10


def slowest_dbt_nodes(warehouse: Path, run_id: str, n: int = SLOWEST) -> list[dict]:
    """The run's slowest dbt models and tests: dagster-dbt puts each node's `Execution Duration` on
    its materialisation or check evaluation (dbt's own run_results.json is overwritten by the second
    dbt invocation of a run, the data-trust mart's)."""
    import dagster as dg

    from orchestration.runner import dagster_instance
    from orchestration.settings import Settings

    kinds = (dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    found: dict[str, float] = {}
    with dagster_instance(Settings(landing_dir=warehouse, warehouse_dir=warehouse)) as instance:
        for entry in instance.all_logs(run_id, of_type=set(kinds)):
            event = entry.dagster_event
            data = event.event_specific_data
            metadata = getattr(getattr(data, "materialization", None), "metadata", None) or getattr(
                data, "metadata", None
            )
            if not metadata or "Execution Duration" not in metadata:
                continue
            node = metadata.get("unique_id")
            name = getattr(node, "value", None) or getattr(node, "text", None) or str(event.asset_key)
            found[name] = float(getattr(metadata["Execution Duration"], "value", 0.0))
    return [{"node": k, "seconds": v} for k, v in sorted(found.items(), key=lambda kv: -kv[1])[:n]]


def rows_per_entity(warehouse: Path, run_id: str) -> dict | None:
    """Rows read and loaded per source/entity in one run, from ops.load_batches."""
    import duckdb

    try:
        con = duckdb.connect(str(warehouse / "cx.duckdb"), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute(
            "select source || '/' || entity, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
            "from ops.load_batches where run_id = ? group by 1 order by 1",
            [run_id],
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return {e: {"batches": b, "rows_read": r, "rows_loaded": ld, "rows_quarantined": q} for e, b, r, ld, q in rows}


# --- the steps -----------------------------------------------------------------------------------


def step(text: str) -> None:
    console.print(f"[bold cyan]»[/] {text} [dim]({dt.datetime.now():%H:%M:%S})[/]")


def checked(m: Measured, what: str) -> Measured:
    if m.returncode != 0:
        tail = Path(m.log).read_text(errors="replace").splitlines()[-15:]
        raise BenchError(f"{what} exited {m.returncode}; last lines of {m.log}:\n" + "\n".join(tail))
    return m


def cx360_run(cx360: str, landing: Path, warehouse: Path, log: Path, env: dict) -> dict:
    m = run_measured([cx360, "run", "--landing", landing, "--warehouse", warehouse], log, env)
    out = {"measured": m.as_dict(), "published": m.returncode == 0}
    if m.returncode != 0:
        tail = Path(m.log).read_text(errors="replace").splitlines()[-10:]
        console.print(f"[red]cx360 run exited {m.returncode} (nothing published)[/]; see {log}:\n" + "\n".join(tail))
    out["dagster"] = step_times(warehouse, m)
    if out["dagster"]:
        out["rows"] = rows_per_entity(warehouse, out["dagster"]["run_id"])
    if out["published"]:
        out["slowest_published_tables"] = slowest_published_tables(warehouse)
    return out


def slowest_published_tables(warehouse: Path, n: int = 5) -> list[dict]:
    """The current publication's slowest tables, as its manifest records what each cost."""
    from orchestration.publish import recorded_publication
    from orchestration.settings import Settings

    current = recorded_publication(Settings(landing_dir=warehouse, warehouse_dir=warehouse))
    tables = sorted(current[2] if current else [], key=lambda t: -(t.parquet_seconds + t.serving_seconds))
    return [{"seconds": t.parquet_seconds + t.serving_seconds, "table": t.describe()} for t in tables[:n]]


def dashboard_build(warehouse: Path, work: Path) -> dict:
    """Build the CX dashboard from the published BI database alone, timed (build() itself, in this process)."""
    from orchestration.dashboard import build
    from orchestration.settings import Settings

    bi = Settings(landing_dir=work, warehouse_dir=warehouse).marts_db_path
    out = work / "dashboard"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    build(bi, out)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "pages": len(list(out.glob("*.html"))), "bi_database": str(bi)}


def floor(files: list[Path], work: Path, name: str) -> dict:
    """DuckDB's read → Parquet of the files, in a fresh process (benchmarks/floor.py)."""
    files_json, out_dir, result_json = work / f"floor-{name}.files.json", work / f"floor-{name}", work / "floor.json"
    files_json.write_text(json.dumps([str(f) for f in files]))
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [sys.executable, HERE / "floor.py", files_json, out_dir, result_json]
    m = checked(run_measured(cmd, work / "logs" / f"floor-{name}.log"), "the DuckDB floor")
    result = json.loads(result_json.read_text())
    shutil.rmtree(out_dir, ignore_errors=True)
    result_json.unlink()
    files_json.unlink()
    for f in result["failed"]:
        console.print(f"[yellow]floor: DuckDB could not read {f['file']}: {f['error']}[/]")
    return {"measured": m.as_dict(), **result}


# --- verdicts and the table ----------------------------------------------------------------------


def verdict(what: str, value: float | None, limit: float | None, unit: str, fmt, note: str = "") -> dict:
    """value <= limit? With the sentence a reader needs when it is not."""
    out = {"what": what, "value": value, "limit": limit, "unit": unit, "met": None, "text": f"{what}: not measured"}
    if value is None or limit is None:
        return out
    out["met"] = value <= limit
    target = f"target {fmt(limit)}{note}"
    if out["met"]:
        out["text"] = f"{what} {fmt(value)}: {target}, met"
    else:
        over = value - limit
        out |= {"missed_by": over, "missed_by_pct": 100 * over / limit}
        out["missed"] = f"{fmt(over)} (+{100 * over / limit:.0f}%)"
        out["text"] = f"{what} {fmt(value)}: {target}, missed by {out['missed']}"
    return out


def secs(x: float) -> str:
    return f"{x:,.1f} s"


def with_cpu(seconds: float, cpu: float | None) -> str:
    """`65.8 s (120 CPU-s, 1.83 cores)`: a phase's wall time and what the process tree spent in it."""
    if cpu is None:  # a result written before the benchmark measured CPU
        return secs(seconds)
    return f"{secs(seconds)} ({cpu:,.0f} CPU-s, {cpu / max(seconds, 1e-9):.2f} cores)"


def gib(x: float) -> str:
    return f"{x / GiB:.2f} GiB"


def times(x: float) -> str:
    return f"{x:.2f}x"


def judge(result: dict) -> list[dict]:
    full, inc = result["full_run"], result.get("incremental_run")
    floor_full, floor_day = result.get("floor_full"), result.get("floor_day")
    full_s = full["measured"]["seconds"]
    out = [
        verdict("full run", full_s, TARGET_FULL_RUN_S, "s", secs),
        verdict("full run peak memory", full["measured"]["peak_tree_rss_bytes"], TARGET_PEAK_BYTES, "bytes", gib),
    ]
    out.append(
        verdict(
            "full run ingestion / DuckDB floor", ingest_ratio(full, floor_full), TARGET_INGEST_VS_FLOOR, "ratio", times
        )
    )
    inc_s = inc["measured"]["seconds"] if inc else None
    note = f" ({TARGET_INCREMENTAL_SHARE:.0%} of the full run's {secs(full_s)})"
    out.append(verdict("incremental run", inc_s, TARGET_INCREMENTAL_SHARE * full_s, "s", secs, note))
    peak = inc["measured"]["peak_tree_rss_bytes"] if inc else None
    out.append(verdict("incremental run peak memory", peak, TARGET_PEAK_BYTES, "bytes", gib))
    dashboard = result.get("dashboard")
    out.append(verdict("dashboard build", dashboard["seconds"] if dashboard else None, TARGET_DASHBOARD_S, "s", secs))
    out.append(
        verdict(
            "incremental ingestion / DuckDB floor", ingest_ratio(inc, floor_day), TARGET_INGEST_VS_FLOOR, "ratio", times
        )
    )
    return out


def ingest_ratio(run: dict | None, fl: dict | None) -> float | None:
    if not run or not fl or not run.get("dagster") or not fl["seconds"]:
        return None
    ingest = run["dagster"]["phases"].get("ingest")
    return ingest / fl["seconds"] if ingest is not None else None


def print_table(result: dict) -> None:
    size = result["size"]
    engine = result.get("engine", "duckdb")
    t = Table(title=f"cx360 benchmark: {size:,} customers, seed {result['seed']}, dbt on {engine}")
    for column in ("measure", "value", "target", "verdict"):
        t.add_column(column, no_wrap=column == "measure")
    v = {x["what"]: x for x in result["verdicts"]}

    def judged(label: str, key: str, value: str, target: str) -> None:
        x = v[key]
        if x["met"] is None:
            mark = "[dim]not measured[/]"
        elif x["met"]:
            mark = "[green]met[/]"
        else:
            mark = f"[red]missed by {x['missed']}[/]"
        t.add_row(label, value, target, mark)

    gen = result.get("generate")
    t.add_row("generate landing zone", secs(gen["seconds"]) if gen else "reused", "", "")
    for name, run_key, floor_key in (
        ("full", "full_run", "floor_full"),
        ("incremental", "incremental_run", "floor_day"),
    ):
        run, fl = result.get(run_key), result.get(floor_key)
        if name == "incremental":
            day = result.get("generate_day")
            t.add_row("generate one more day", secs(day["seconds"]) if day else result.get("day_skipped", ""), "", "")
        if not run:
            t.add_row(f"{name} run", "not measured", "", "")
            continue
        m = run["measured"]
        full_s = result["full_run"]["measured"]["seconds"]
        if name == "full":
            judged("full run, empty warehouse (wall)", "full run", secs(m["seconds"]), f"≤ {secs(TARGET_FULL_RUN_S)}")
        else:
            judged(
                "incremental run (wall)",
                "incremental run",
                f"{secs(m['seconds'])} ({m['seconds'] / full_s:.1%} of full)",
                f"≤ {TARGET_INCREMENTAL_SHARE:.0%} of full = {secs(TARGET_INCREMENTAL_SHARE * full_s)}",
            )
        if m["returncode"] != 0:
            t.add_row("  exit code", str(m["returncode"]), "0", "[red]blocked: nothing published[/]")
        dag = run.get("dagster")
        cpu = m.get("cpu_seconds")
        if cpu:
            cores = result["machine"]["cpu_count"]
            budget = f"≤ {cores * TARGET_FULL_RUN_S:,.0f} CPU-s to fit {secs(TARGET_FULL_RUN_S)} on {cores} cores"
            t.add_row(
                "  CPU of the process tree",
                f"{cpu:,.0f} CPU-s, {cpu / m['seconds']:.2f} cores busy (the machine: {m['machine_cpu_seconds']:,.0f})",
                budget if name == "full" else "",
                "",
            )
        if dag:
            phase_cpu = dag.get("phase_cpu_seconds") or {}
            for phase in ("ingest", "GX checks", "dbt build", "publish", "other steps"):
                if phase in dag["phases"]:
                    t.add_row(f"  {phase}", with_cpu(dag["phases"][phase], phase_cpu.get(phase)), "", "")
            steps_s, run_s = sum(dag["phases"].values()), dag["dagster_run_seconds"]
            if run_s is not None and m.get("started_at"):
                before = dag["dagster_run_started_at"] - m["started_at"]
                t.add_row("  Dagster, between steps", secs(run_s - steps_s), "", "")
                t.add_row("  before the Dagster run (start-up)", with_cpu(before, phase_cpu.get("start-up")), "", "")
                t.add_row("  after the Dagster run (summary)", secs(m["seconds"] - before - run_s), "", "")
            else:
                t.add_row("  outside the steps", secs(m["seconds"] - steps_s), "", "")
        judged(
            "  peak memory (process tree, sum of RSS)",
            f"{name} run peak memory",
            gib(m["peak_tree_rss_bytes"]),
            f"≤ {gib(TARGET_PEAK_BYTES)}",
        )
        t.add_row("  largest single process (ru_maxrss)", gib(m["max_single_rss_bytes"]), "", "")
        if fl:
            what = "all landing files" if name == "full" else "the day's files"
            t.add_row(f"  DuckDB floor: {what} → Parquet", f"{secs(fl['seconds'])} ({fl['files']} files)", "", "")
            ratio_key = (
                "full run ingestion / DuckDB floor" if name == "full" else "incremental ingestion / DuckDB floor"
            )
            ratio = v[ratio_key]["value"]
            judged(
                "  ingest / floor",
                ratio_key,
                times(ratio) if ratio is not None else "n/a",
                f"≤ {times(TARGET_INGEST_VS_FLOOR)}",
            )
    if "dashboard build" in v:
        judged(
            "dashboard build (BI database → pages)",
            "dashboard build",
            secs(v["dashboard build"]["value"] or 0) if v["dashboard build"]["value"] is not None else "not measured",
            f"≤ {secs(TARGET_DASHBOARD_S)}",
        )
    console.print(t)
    if size != TARGET_SIZE:
        console.print(f"[yellow]The targets are set for {TARGET_SIZE:,} customers: at {size:,} they are indicative.[/]")
    console.print(
        "ingest = the Dagster steps that load landing files into the raw zone (one per entity), from the run's "
        "step statistics; floor = DuckDB's own readers → COPY TO Parquet of the same files, in a fresh process."
    )
    for label, key in (("full run", "full_run"), ("incremental run", "incremental_run")):
        dagster_stats = (result.get(key) or {}).get("dagster") or {}
        nodes = dagster_stats.get("slowest_dbt_nodes") or []
        if nodes:
            threads = dagster_stats.get("dbt_threads")
            at_once = {None: "", 1: "; one model at a time"}.get(threads, f"; {threads} models at once")
            console.print(f"slowest dbt nodes of the {label} (seconds{at_once}):")
            for node in nodes:
                console.print(f"  {node['seconds']:7.1f}  {node['node']}")
        published = (result.get(key) or {}).get("slowest_published_tables") or []
        if published:
            console.print(f"slowest published tables of the {label} (Parquet and serving table, seconds):")
            for t in published:
                console.print(f"  {t['seconds']:7.1f}  {t['table']}")
    for x in result["verdicts"]:
        if x["met"] is False:
            console.print(f"[red]✗[/] {x['text']}")
        elif x["met"] is None:
            console.print(f"[yellow]?[/] {x['text']}")


# --- the machine ---------------------------------------------------------------------------------


def machine() -> dict:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt", "great-expectations", "psutil"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain"], capture_output=True, text=True).stdout
    return {
        "cpu_count": os.cpu_count(),
        "cpu_count_physical": psutil.cpu_count(logical=False),
        "cpu_model": model,
        "memory_total_bytes": psutil.virtual_memory().total,
        "memory_available_bytes_at_start": psutil.virtual_memory().available,
        "load_average_at_start": list(os.getloadavg()),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": commit or None,
        "git_dirty": bool(dirty.strip()),
    }


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=TARGET_SIZE, help="customers to generate (default %(default)s)")
    p.add_argument("--seed", type=int, default=42, help="generator seed (default %(default)s)")
    p.add_argument("--work-dir", type=Path, help="landing zone, warehouse and logs (default benchmarks/work/<size>)")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep the landing zone and warehouse afterwards, and reuse a kept landing zone of the same size "
        "and seed instead of generating it again (the extra day of an earlier run is removed first)",
    )
    p.add_argument(
        "--skip-generate",
        action="store_true",
        help="never generate the landing zone: reuse the kept one (implies --keep; fails if there is none)",
    )
    p.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="where dbt builds the models (CX360_ENGINE; default %(default)s): the same table either way",
    )
    p.add_argument("--last-day", default=LAST_DAY, help="last day of the generated data (default %(default)s)")
    p.add_argument("--show", type=Path, metavar="RESULT.json", help="print the table of a saved result and stop")
    p.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="CX360_NAME=VALUE",
        help="a cx360 setting for the runs, e.g. CX360_DBT_THREADS=2 (repeatable; recorded in the results)",
    )
    args = p.parse_args(argv)
    args.settings = {}
    for item in args.setting:
        name, sep, value = item.partition("=")
        if not sep or not name.startswith("CX360_"):
            p.error(f"--setting takes CX360_NAME=VALUE, not {item!r}")
        args.settings[name] = value
    args.keep = args.keep or args.skip_generate
    if args.engine != "duckdb":
        args.settings["CX360_ENGINE"] = args.engine
    if args.size < 1:
        p.error("--size must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        print_table(json.loads(args.show.read_text()))
        return 0
    work = (args.work_dir or HERE / "work" / str(args.size)).resolve()
    work.mkdir(parents=True, exist_ok=True)
    cx360 = str(Path(sys.executable).parent / "cx360")
    if not Path(cx360).exists():
        raise BenchError(f"no cx360 beside {sys.executable}: run `make install`, then `.venv/bin/python {__file__}`")
    options = cx360_options()
    missing = [
        f"cx360 {c} {o}"
        for c, o in (("generate", "--days-after"), ("generate", "--days"))
        if o not in options.get(c, set())
    ]
    # the benchmark's own settings, not whatever CX360_* this shell has exported
    env = {k: v for k, v in os.environ.items() if not k.startswith("CX360_")} | args.settings
    landing, warehouse = work / "landing", work / "warehouse"
    result: dict = {
        "size": args.size,
        "seed": args.seed,
        "engine": args.engine,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "work_dir": str(work),
        "targets": {
            "for_size": TARGET_SIZE,
            "full_run_seconds": TARGET_FULL_RUN_S,
            "incremental_share_of_full": TARGET_INCREMENTAL_SHARE,
            "peak_memory_bytes": TARGET_PEAK_BYTES,
            "ingest_vs_floor": TARGET_INGEST_VS_FLOOR,
        },
        "missing_interfaces": missing,
        "settings": args.settings,
    }
    console.print(
        f"work dir {work}  ({result['machine']['cpu_count']} cores, "
        f"{gib(result['machine']['memory_total_bytes'])} memory)"
        + "".join(f"  {k}={v}" for k, v in args.settings.items())
    )
    try:
        gen, base_files = prepare_landing(args, work, cx360, env)
        result["generate"] = gen.as_dict() if gen else None
        result["landing_files"] = len(base_files)
        result["landing_bytes"] = sum(s for s, _ in base_files.values())

        step("full run into an empty warehouse")
        shutil.rmtree(warehouse, ignore_errors=True)
        result["full_run"] = cx360_run(cx360, landing, warehouse, work / "logs" / "full-run.log", env)
        result["rows_generated"] = result["full_run"].get("rows")
        if not result["full_run"]["published"]:
            raise BenchError("the full run did not publish: nothing further is measured")

        step("dashboard build from the published BI database")
        result["dashboard"] = dashboard_build(warehouse, work)

        step("DuckDB floor on all landing files")
        result["floor_full"] = floor([landing / rel for rel in base_files], work, "full")

        if missing:
            result["day_skipped"] = f"skipped: {' / '.join(missing)} not in the CLI yet"
            console.print(f"[yellow]incremental run {result['day_skipped']}[/]")
        else:
            step("generating one more day of deliveries")
            cmd = [
                cx360,
                "generate",
                "--out",
                landing,
                "--customers",
                str(args.size),
                "--seed",
                str(args.seed),
                "--days-after",
                args.last_day,
                "--days",
                "1",
            ]
            result["generate_day"] = checked(
                run_measured(cmd, work / "logs" / "generate-day.log", env), "cx360 generate --days-after"
            ).as_dict()
            after = listing(landing)
            day_files = sorted(rel for rel, meta in after.items() if base_files.get(rel) != meta)
            result["day_files"] = day_files
            if not day_files:
                raise BenchError("cx360 generate --days-after wrote no new or changed file into the landing zone")
            step(f"incremental run ({len(day_files)} new or changed files)")
            result["incremental_run"] = cx360_run(cx360, landing, warehouse, work / "logs" / "incremental-run.log", env)
            step("DuckDB floor on the day's files")
            result["floor_day"] = floor([landing / rel for rel in day_files], work, "day")
    except BenchError as e:
        result["error"] = str(e)
        console.print(f"[red bold]benchmark stopped:[/] {e}")
    finally:
        if not args.keep:
            shutil.rmtree(landing, ignore_errors=True)
            shutil.rmtree(warehouse, ignore_errors=True)
            (work / "landing.json").unlink(missing_ok=True)
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if "full_run" in result:
        result["verdicts"] = judge(result)
        print_table(result)
    for m in missing:
        console.print(f"[yellow]missing interface: {m}[/]")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name = f"{args.size}" + ("" if args.engine == "duckdb" else f"-{args.engine}")
    for path in (RESULTS_DIR / f"{name}-{stamp}.json", RESULTS_DIR / f"latest-{name}.json"):
        path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    console.print(f"results: {RESULTS_DIR / f'{name}-{stamp}.json'} (and latest-{name}.json)")
    return 1 if "error" in result else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        console.print(f"[red bold]error:[/] {e}")
        sys.exit(2)
