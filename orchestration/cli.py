"""The `cx360` command: run the pipeline, generate landing zones."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from orchestration.settings import ENV_AS_OF, ENV_LANDING, ENV_WAREHOUSE, Settings

app = typer.Typer(no_args_is_help=True, add_completion=False)
# bound to the real stdout: the run's own chatter (dbt's log lines) is redirected to a log file
console = Console(file=sys.stdout)


# every command that reads or writes a warehouse takes it the same way
WarehouseOption = Annotated[
    Path | None, typer.Option(help=f"Warehouse folder. (env {ENV_WAREHOUSE}; default: ./warehouse)")
]
LandingOption = Annotated[
    Path | None, typer.Option(help=f"Landing zone to load. (env {ENV_LANDING}; default: the demo)")
]


class RejectedBatches(enum.StrEnum):
    """What a rejected batch of a required entity does to publishing (quality.md)."""

    block = "block"
    warn = "warn"


def _version(show: bool) -> None:
    if show:
        typer.echo(f"cx360 {version('cx360')}")
        raise typer.Exit()


@app.callback()
def main(
    _: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """cx360: one trusted picture of every customer."""


@app.command()
def run(
    landing: LandingOption = None,
    warehouse: WarehouseOption = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help=f"As-of date. (env {ENV_AS_OF}; default: the latest event's date)"
        ),
    ] = None,
    allow_volume_drop: Annotated[
        bool,
        typer.Option(help="Publish even if a table lost more than half its rows since the last publish."),
    ] = False,
    rejected_batches: Annotated[
        RejectedBatches, typer.Option(help="A rejected batch of a required entity: block publishing, or warn.")
    ] = RejectedBatches.block,
    full_refresh: Annotated[
        bool,
        typer.Option(help="Rebuild every incremental model from the whole raw zone, not only what changed."),
    ] = False,
) -> None:
    """Load new batches, build and check the models, publish what passed."""
    from orchestration.run_guard import RunRefused, environment_problem, note_unrecorded_run, refusal

    settings = _settings(
        landing_dir=landing,
        warehouse_dir=warehouse,
        as_of=as_of.date() if as_of else None,
        allow_volume_drop=allow_volume_drop or None,
        rejected_required_batch_blocks=None if rejected_batches is RejectedBatches.block else False,
        full_refresh=full_refresh or None,
    )
    if not settings.landing_dir.is_dir():
        console.print(f"[red]error:[/] landing zone {settings.landing_dir} is not a folder")
        raise typer.Exit(2)
    from orchestration.privacy.erasure import pending

    if order := pending(settings):
        _fail(f"erasure {order.erasure_id} is not complete: run `cx360 forget --resume` first")
    if refused := refusal(settings):  # before Dagster and dbt load (~5 s)
        _fail(refused)
    from orchestration.progress import listen
    from orchestration.publish import recorded_publication
    from orchestration.run_progress import RunProgress
    from orchestration.runner import run_build
    from orchestration.summary import summarise

    console.print(f"landing zone [bold]{settings.landing_dir}[/]\nwarehouse    [bold]{settings.warehouse_dir}[/]")
    with RunProgress(console) as progress:  # a spinner on a terminal, timestamped lines elsewhere
        stop = listen(progress)
        log_path = settings.warehouse_dir / "logs" / "last_run.log"
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with (
                log_path.open("w", encoding="utf-8") as log,
                contextlib.redirect_stdout(log),
                contextlib.redirect_stderr(log),
            ):
                outcome = run_build(settings)
        except RunRefused as refused:
            _fail(str(refused))
        except Exception as error:
            problem = environment_problem(error, settings.warehouse_dir)
            if problem is None:
                raise
            message = (
                f"{problem}: free space or make the folder writable under {settings.warehouse_dir}, then run "
                "again (the last publication stays in place)"
            )
            note_unrecorded_run(settings, f"failed-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}", message)
            _fail(message)
        finally:
            stop()
    console.print(f"full log: {log_path}")
    _print_summary(summarise(settings, outcome.run_id) if settings.duckdb_path.exists() else None, settings)
    current = recorded_publication(settings)
    if not outcome.success and current and current[0] == outcome.run_id:
        console.print(f"\n[yellow bold]Published[/] (run {outcome.run_id}), but the run did not finish cleanly:")
        for failure in outcome.failures:
            console.print(f"  [yellow]•[/] {failure}", soft_wrap=True)
        raise typer.Exit(1)
    if not outcome.success:
        console.print("\n[red bold]Nothing was published[/]: the last good version stays in place.")
        for failure in outcome.failures:
            console.print(f"  [red]•[/] {failure}", soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"\n[green bold]Published[/] (run {outcome.run_id}).")


def _settings(**overrides) -> Settings:
    """A command's settings: a wrong `CX360_*` value is one error line, as a wrong option is, not a
    traceback."""
    try:
        return Settings.from_env(**overrides)
    except ValueError as e:
        console.print(f"[red bold]error:[/] {e}", soft_wrap=True)
        raise typer.Exit(2) from None


def _require_warehouse(settings: Settings) -> None:
    """Stop with one error line when the warehouse has no working database (before a command
    writes anything into its folder)."""
    from orchestration.warehouse import NoWorkingDatabase, require_working_database

    try:
        require_working_database(settings)
    except NoWorkingDatabase as e:
        _fail(str(e))


def _fail(message: str) -> NoReturn:
    """One line, no traceback: the run did not happen or stopped on the machine, not on the data."""
    console.print(f"[red bold]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(1)


def _print_summary(summary, settings: Settings) -> None:
    if summary is None:
        return
    b = summary.batches
    console.print(
        f"\n[bold]Batches[/] loaded {b.get('loaded', 0)}, duplicate {b.get('duplicate', 0)}, "
        f"rejected {b.get('rejected', 0)}"
    )
    if summary.entities:
        t = Table("entity", "batches", "rows loaded", "rows quarantined", title="Loaded this run")
        for name, n, loaded, quarantined in summary.entities:
            t.add_row(name, str(n), f"{loaded:,}", f"{quarantined:,}")
        console.print(t)
    for file, reason in summary.rejected:
        console.print(f"[yellow]rejected[/] {file}: {reason}")
    if summary.strays:
        from orchestration.contracts import ENTITIES

        folders = ", ".join(e.qualified for e in ENTITIES)
        console.print(
            f"[yellow]not read[/] {', '.join(summary.strays)} in {settings.landing_dir}: files are read only "
            f"from <source>/<entity>/ folders ({folders})",
            soft_wrap=True,
        )
    if summary.identity:
        t = Table(
            "department",
            "records",
            "CRM-matched",
            "prospects",
            "ambiguous",
            "no customer",
            title="Identity resolution",
        )
        for row in summary.identity:
            t.add_row(*(str(x) if i == 0 else f"{x:,}" for i, x in enumerate(row)))
        console.print(t)
    if summary.published:
        t = Table("database", "table", "rows", title="Published")
        for db, name, rows in summary.published:
            t.add_row(db, name, f"{rows:,}")
        console.print(t)
        console.print(
            f"BI database         {settings.marts_db_path}\n"
            f"restricted database {settings.restricted_db_path}\n"
            f"Parquet             {settings.parquet_dir}/<table>/*.parquet (the BI tables, for any engine)"
        )


@app.command()
def status(
    warehouse: WarehouseOption = None,
    stale_hours: Annotated[float, typer.Option(help="A source with no delivery for this long is stale.")] = 36,
) -> None:
    """What is published, the last run's outcome, failing checks, quarantine, stale sources, never-filled columns."""
    from orchestration.status import read_status

    settings = _settings(warehouse_dir=warehouse)
    _require_warehouse(settings)
    st = read_status(settings, stale_hours)
    if st.published_at:
        console.print(
            f"[bold]Published[/] {st.published_at:%Y-%m-%d %H:%M} UTC by run {st.published_run}: "
            f"{st.published_tables} tables\n  {settings.marts_db_path}\n  {settings.restricted_db_path}"
        )
    else:
        console.print("[yellow]Nothing published yet[/]")
    if st.busy:
        console.print(
            f"[yellow]The working database is being written[/] by {st.busy} (a run, most likely): the last "
            "run, its checks, the quarantine and the deliveries show once it is free"
        )
        return
    if st.last_run:
        run_id, at, passed, failed = st.last_run
        outcome = "[green]published[/]" if st.last_run_published else "[red]blocked, nothing published[/]"
        console.print(
            f"[bold]Last run[/] {run_id} at {at:%Y-%m-%d %H:%M} UTC: {outcome} "
            f"({passed} checks passed, {failed} failed)"
        )
    for failure in st.last_run_failures:
        console.print(f"  [red]•[/] {failure}")
    if not st.last_run_failures:  # failures already name their checks
        for table, check, description in st.failing_checks:
            console.print(f"  [red]✗[/] {check} on {table}" + (f": {description}" if description else ""))
    if st.quarantine:
        t = Table("entity", "reason", "column", "rows", title="Quarantined rows by reason")
        for entity, reason, column, n in st.quarantine:
            t.add_row(entity, reason, column or "", f"{n:,}")
        console.print(t)
    if st.withheld is not None:  # shown at 0 too: an erasure's promise that nothing came back
        console.print(f"withheld rows of erased people: {st.withheld:,}")
    if st.erasures:
        console.print(f"people erased on request: {st.erasures:,} (receipts in {settings.privacy_dir / 'receipts'})")
    for rejection in st.rejected:
        _print_rejection(rejection, settings)
    for source, last in st.stale:
        when = f"last delivery {last:%Y-%m-%d %H:%M} UTC" if last else "never delivered"
        console.print(f"[yellow]stale source[/] {source}: {when}")
    for entity, columns in st.never_filled.items():
        console.print(f"[yellow]never filled[/] {entity}: {', '.join(columns)} (reported, not blocked)")


def _print_rejection(rejection, settings: Settings) -> None:
    """A rejected batch in `cx360 status`: what to do while it stands, how it was resolved after."""
    from rich.markup import escape

    from orchestration.contracts import entity

    if rejection.outstanding:
        blocks = entity(f"{rejection.source}/{rejection.entity}").required and settings.rejected_required_batch_blocks
        label = "[red]rejected batch, blocking[/]" if blocks else "[yellow]rejected batch, outstanding[/]"
        console.print(f"{label} {escape(rejection.what_to_do(blocks))}", soft_wrap=True)
    else:
        console.print(
            f"[dim]rejected batch[/] {escape(rejection.path)}: {escape(rejection.detail)} "
            f"— {escape(rejection.resolution())}",
            soft_wrap=True,  # one line per batch, whatever the width: easy to grep
        )


@app.command("accept-rejected")
def accept_rejected(
    batch: Annotated[
        str,
        typer.Argument(
            metavar="FILE_OR_BATCH",
            help="The rejected file, as `cx360 status` names it (source/entity/file), or its batch id.",
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why publishing may go on without it: kept with the acceptance.")],
    by: Annotated[str | None, typer.Option(help="Who accepts it. (default: your user name)")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Accept a rejected batch, so it no longer blocks publishing (recorded: who, when, why).

    A rejected batch of a required entity blocks publishing on every run until a corrected
    delivery of its entity loads (a later file of it that is not rejected), or until it is
    accepted here. `cx360 status` lists the rejections and how each was resolved.
    """
    import getpass

    from orchestration.ingest.rejections import NoSuchRejection, accept
    from orchestration.warehouse import BusyWarehouse, connect

    settings = _settings(warehouse_dir=warehouse)
    _require_warehouse(settings)
    try:
        with connect(settings) as con:
            accepted = accept(con, batch, reason, by or getpass.getuser())
    except (NoSuchRejection, ValueError, BusyWarehouse) as e:
        console.print(f"[red]error:[/] {e}", markup=True, highlight=False)
        raise typer.Exit(2 if isinstance(e, NoSuchRejection | ValueError) else 1) from None
    for r in accepted:
        console.print(f"[green]accepted[/] {r.path} (batch {r.batch_id or 'never read'}): {r.resolution()}")
    console.print("It no longer blocks publishing, from the next `cx360 run` on.")


def _identifier(email, phone, crm_id, customer_number, anonymous_id) -> tuple[str, str]:
    """The one identifier a person gave (identifiers.py's kind and the value)."""
    given = {
        "email": email,
        "phone": phone,
        "crm_customer_id": crm_id,
        "sales_customer_number": customer_number,
        "anonymous_id": anonymous_id,
    }
    chosen = [(k, v) for k, v in given.items() if v]
    if len(chosen) != 1:
        _fail("give exactly one of --email, --phone, --crm-id, --customer-number, --anonymous-id")
    return chosen[0]


_Email = Annotated[str | None, typer.Option(help="The person's e-mail address.")]
_Phone = Annotated[str | None, typer.Option(help="The person's phone number, with its country code (+48 ...).")]
_CrmId = Annotated[str | None, typer.Option("--crm-id", help="The person's CRM customer id.")]
_Number = Annotated[str | None, typer.Option(help="The person's shop customer number.")]
_Anonymous = Annotated[str | None, typer.Option(help="A marketing anonymous id of the person.")]
_Region = Annotated[str | None, typer.Option(help="Country of a phone number written without its code (PL).")]


@app.command("subject-access")
def subject_access(
    email: _Email = None,
    phone: _Phone = None,
    crm_id: _CrmId = None,
    customer_number: _Number = None,
    anonymous_id: _Anonymous = None,
    region: _Region = None,
    warehouse: WarehouseOption = None,
    out: Annotated[Path, typer.Option(help="Folder for the report (it holds the person's data).")] = Path(
        "subject-access"
    ),
) -> None:
    """Everything held about one person (GDPR art. 15): a JSON and a Markdown report."""
    from orchestration.privacy import subject_access as access
    from orchestration.privacy.subject import SubjectError

    kind, value = _identifier(email, phone, crm_id, customer_number, anonymous_id)
    settings = _settings(warehouse_dir=warehouse)
    _require_warehouse(settings)
    try:
        found = access.report(settings, kind, value, region)
    except SubjectError as e:
        _fail(str(e))
    as_json, as_md = access.write(found, out)
    if not (found["customers"] or found["records"] or found["quarantined"] or found["rejected"]):
        console.print(f"nothing is held about this {kind.replace('_', ' ')}: the report says so")
    console.print(
        f"{len(found['records'])} records, {len(found['quarantined'])} quarantined and {len(found['rejected'])} "
        f"rejected rows, {len(found['journey'])} journey touchpoints, {len(found['stored_in'])} files hold their data"
    )
    console.print(f"report: {as_md}\n        {as_json}")


@app.command()
def forget(
    email: _Email = None,
    phone: _Phone = None,
    crm_id: _CrmId = None,
    customer_number: _Number = None,
    anonymous_id: _Anonymous = None,
    region: _Region = None,
    resume: Annotated[bool, typer.Option(help="Complete an erasure that was interrupted.")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Erase one person from everything cx360 keeps (GDPR art. 17), republish, and write a receipt."""
    from orchestration.privacy import erasure
    from orchestration.privacy.subject import SubjectError
    from orchestration.run_guard import RunRefused

    settings = _settings(warehouse_dir=warehouse)
    given = None if resume else _identifier(email, phone, crm_id, customer_number, anonymous_id)
    _require_warehouse(settings)  # before its log: a mistyped --warehouse leaves no folder
    log_path = settings.warehouse_dir / "logs" / "last_forget.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            log_path.open("w", encoding="utf-8") as log,
            contextlib.redirect_stdout(log),  # the rebuild's chatter (dbt's lines) goes to the log
            contextlib.redirect_stderr(log),
        ):
            receipt = erasure.forget(settings, given, region, progress=lambda line: console.print(line))
    except (SubjectError, erasure.ErasureError, RunRefused) as e:
        _fail(str(e))
    console.print(f"[green bold]Erased[/] and republished. Receipt: {receipt}")


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the landing zone into.")],
    customers: Annotated[int, typer.Option(min=1, help="Number of customers.")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 42,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes making customers (default: the number of CPUs).")
    ] = None,
    days_after: Annotated[
        str | None,
        typer.Option(
            "--days-after",
            help="Add the daily deliveries of the days after this date (YYYY-MM-DD, 2026-10-31 or later) to the "
            "existing landing zone in --out, made with the same --customers and --seed.",
        ),
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="How many days of daily deliveries (with --days-after).")] = 1,
) -> None:
    """Write a deterministic synthetic landing zone for all 11 entities.

    With --days-after DATE --days N, add to the landing zone in --out the
    daily deliveries of the N days after DATE, for incremental runs: one
    file per entity and day (sales/orders/orders_2026-11-01.csv ...) with
    sign-ups, orders and status updates, tickets, surveys, feedback, CRM
    activities, marketing events, and identity changes (prospects joining
    the CRM, corrected CRM, shop and ticket records). N days at once write
    the same files as N runs of one day; a day made again is the same.
    """
    if days_after is not None:
        from datetime import date

        from orchestration.generate.daily import generate_days

        try:
            after = date.fromisoformat(days_after)
        except ValueError:
            raise typer.BadParameter("--days-after must be a date YYYY-MM-DD") from None
        try:
            summary = generate_days(out, after, days, customers=customers, seed=seed)
        except ValueError as e:
            console.print(f"[red]error:[/] {e}")
            raise typer.Exit(2) from None
        changes = {k: len(v) for k, v in summary["identity_changes"].items()}
        rows = sum(v for v in summary.values() if isinstance(v, int))
        console.print(f"wrote {rows:,} rows of {days} day(s) into {out.resolve()}; identity changes: {changes}")
        return

    from rich.progress import Progress

    from orchestration.generate import generate as write_landing_zone

    with Progress(console=console) as progress:
        task = progress.add_task(f"generating {customers:,} customers", total=customers)
        summary = write_landing_zone(
            out, customers=customers, seed=seed, progress=lambda n: progress.advance(task, n), workers=workers
        )
    rows = {k: v for k, v in summary.items() if isinstance(v, int)}
    console.print(f"wrote {sum(rows.values()):,} rows into {out.resolve()}")


@app.command()
def ui(
    landing: LandingOption = None,
    warehouse: WarehouseOption = None,
    port: Annotated[int, typer.Option(help="Port of the web UI.")] = 3000,
) -> None:
    """Open the Dagster UI on the same definitions and warehouse as `cx360 run`."""
    import os
    import shutil

    from orchestration import dbt_manifest
    from orchestration.settings import PROJECT_ROOT

    settings = _settings(landing_dir=landing, warehouse_dir=warehouse)
    dbt_manifest.prepare()
    # `dagster dev` reads its instance from $DAGSTER_HOME/dagster.yaml: the warehouse's own folder
    settings.dagster_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", settings.dagster_dir / "dagster.yaml")
    env = os.environ | {
        "DAGSTER_HOME": str(settings.dagster_dir),
        ENV_LANDING: str(settings.landing_dir),
        ENV_WAREHOUSE: str(settings.warehouse_dir),
    }
    os.chdir(settings.dagster_dir)  # beside its dagster.yaml, so Dagster reads no other instance file
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.execvpe(dagster, [dagster, "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)], env)


@app.command()
def dashboard(
    warehouse: WarehouseOption = None,
    serve: Annotated[bool, typer.Option("--serve", help="Serve it on http://127.0.0.1:PORT instead.")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve (0: any free port).")] = 8360,
) -> None:
    """Open the CX dashboard of the last publication in a browser, or serve it with --serve."""
    from orchestration.dashboard.serve import CannotServe
    from orchestration.dashboard.serve import run as open_dashboard

    settings = _settings(warehouse_dir=warehouse)
    try:
        code = open_dashboard(settings, serve, port, lambda line: console.print(line, soft_wrap=True))
    except CannotServe as e:
        _fail(str(e))
    raise typer.Exit(code)


@app.command()
def docs(
    warehouse: WarehouseOption = None,
    serve: Annotated[bool, typer.Option("--serve", help="Serve the site on http://127.0.0.1:PORT.")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve (0: any free port).")] = 8361,
) -> None:
    """Generate dbt's documentation site (every model, column and test, with the warehouse's catalog)."""
    from orchestration.dbt_docs import DocsFailed, generate
    from orchestration.quality import gx_docs_dir

    settings = _settings(warehouse_dir=warehouse)
    try:
        page = generate(settings)
    except DocsFailed as failed:
        _fail(str(failed))
    console.print(f"dbt docs: {page} (opens offline, no server needed)", soft_wrap=True)
    console.print(f"Data Docs: {gx_docs_dir(settings) / 'index.html'} (the raw zone's checks)", soft_wrap=True)
    if serve:
        from orchestration.dashboard.serve import CannotServe
        from orchestration.dashboard.serve import serve as serve_folder

        try:
            serve_folder(page.parent, port, lambda line: console.print(line, soft_wrap=True))
        except CannotServe as e:
            _fail(str(e))


@app.command("spark-server")
def spark_server(
    warehouse: WarehouseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the Thrift server.")] = 10000,
    master: Annotated[
        str | None, typer.Option(help="Spark's master: local[N] or spark://host:7077. (env CX360_SPARK_MASTER)")
    ] = None,
) -> None:
    """Serve Spark over Thrift for dbt (CX360_SPARK_THRIFT=host:port), until Ctrl-C (needs `make spark`)."""
    from orchestration.spark_server import serve

    settings = _settings(warehouse_dir=warehouse, spark_master=master)
    serve(settings, host, port, lambda line: console.print(line, soft_wrap=True))


if __name__ == "__main__":
    app()
