"""The cx360 command's surface: version, typed options that show their choices and format, and
the progress it shows while it runs (on the shared demo run's output: no build of its own)."""

from __future__ import annotations

import datetime as dt
import io
import re

from rich.console import Console
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.progress import StepEvent
from orchestration.run_progress import RunProgress
from tests.pipeline import cx360

STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ")
DBT_COUNT = re.compile(r" dbt (\d+)/(\d+) ")

runner = CliRunner(env={"COLUMNS": "200"})


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == "cx360 0.1.0"


def test_run_help_shows_choices_formats_and_the_environment():
    help_text = runner.invoke(app, ["run", "--help"]).output
    assert "<block|warn>" in help_text and "<%Y-%m-%d>" in help_text
    assert "(env CX360_LANDING_DIR; default: the demo)" in help_text


def test_the_ui_takes_the_landing_zone_and_warehouse_as_cx360_run_does():
    help_text = runner.invoke(app, ["ui", "--help"]).output
    assert "--landing" in help_text and "(env CX360_WAREHOUSE_DIR; default: ./warehouse)" in help_text


def test_a_wrong_choice_or_date_is_refused_before_anything_runs(tmp_path):
    wrong = runner.invoke(app, ["run", "--warehouse", str(tmp_path), "--rejected-batches", "ignore"])
    assert wrong.exit_code == 2 and "'ignore' is not one of 'block', 'warn'" in wrong.output
    bad_date = runner.invoke(app, ["run", "--warehouse", str(tmp_path), "--as-of", "2026-13-01"])
    assert bad_date.exit_code == 2 and "'2026-13-01' does not match the formats '%Y-%m-%d'" in bad_date.output
    assert list(tmp_path.iterdir()) == []


def test_a_command_given_no_warehouse_says_so_in_one_error_line_and_makes_no_folder(tmp_path):
    missing = tmp_path / "no-such-warehouse"
    for command in (
        ["subject-access", "--email", "x@example.org"],
        ["forget", "--email", "x@example.org"],
        ["status"],
        ["accept-rejected", "crm/customers/a.csv", "--reason", "checked"],
    ):
        done = cx360(*command, "--warehouse", str(missing), cwd=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout == f"error: no working database at {missing / 'cx.duckdb'}: run `cx360 run` first\n"
    assert not missing.exists()


def test_a_wrong_setting_in_the_environment_is_one_error_line_not_a_traceback(tmp_path):
    done = cx360("status", "--warehouse", str(tmp_path), cwd=tmp_path, env={"CX360_DBT_THREADS": "two"})
    assert done.returncode == 2
    assert done.stdout == "error: CX360_DBT_THREADS must be a whole number of at least 1, not 'two'\n"
    assert "Traceback" not in done.stderr


def _feed(progress: RunProgress, clock: list[float]) -> None:
    """An ingest step, then a dbt build of four nodes done 0.5 s apart, then a failed step."""
    for kind, step, label, total, at in [
        ("STEP_START", "raw__crm__customers", "", None, 1.0),
        ("NODE_DONE", "raw__crm__customers", "crm__customers", None, 1.5),  # not a counted step
        ("STEP_SUCCESS", "raw__crm__customers", "", None, 2.0),
        ("STEP_START", "cx360_dbt", "", None, 2.0),
        ("NODES_SELECTED", "cx360_dbt", "", 4, 2.0),
        ("NODE_DONE", "cx360_dbt", "stg_crm__customers", None, 3.0),
        ("NODE_DONE", "cx360_dbt", "stg_crm__customers tests", None, 3.5),
        ("NODE_DONE", "cx360_dbt", "int_identity__assignments", None, 4.0),
        ("NODE_DONE", "cx360_dbt", "dim_customer", None, 4.5),
        ("STEP_SUCCESS", "cx360_dbt", "", None, 5.0),
        ("STEP_START", "serving__published_marts", "", None, 5.0),
        ("STEP_FAILURE", "serving__published_marts", "", None, 6.0),
    ]:
        clock[0] = at
        progress(StepEvent(kind, step, label, total))


def test_without_a_terminal_progress_is_timestamped_lines_and_dbt_counts():
    out, clock = io.StringIO(), [0.0]
    console = Console(file=out, force_terminal=False, width=60)
    noon = dt.datetime(2026, 12, 2, 14, 3, 11, tzinfo=dt.UTC)
    with RunProgress(console, clock=lambda: clock[0], now=lambda: noon, every=1.0) as progress:
        _feed(progress, clock)
    assert out.getvalue().splitlines() == [
        "2026-12-02 14:03:11 starting",
        "2026-12-02 14:03:11 → ingest raw/crm__customers",
        "2026-12-02 14:03:11 ✓ ingest raw/crm__customers (1.0 s)",
        "2026-12-02 14:03:11 → dbt",
        "2026-12-02 14:03:11 dbt: 4 nodes to build and test",
        "2026-12-02 14:03:11 dbt 1/4 stg_crm__customers",  # then at most one line a second
        "2026-12-02 14:03:11 dbt 3/4 int_identity__assignments",
        "2026-12-02 14:03:11 dbt 4/4 dim_customer",  # and always the last node
        "2026-12-02 14:03:11 ✓ dbt (4 of 4 nodes, 3.0 s)",
        "2026-12-02 14:03:11 → publish",
        "2026-12-02 14:03:11 ✗ publish (1.0 s)",
    ]


def test_on_a_terminal_the_spinner_counts_dbt_nodes_and_finished_steps_stay():
    clock, spinner = [0.0], []
    console = Console(file=io.StringIO(), force_terminal=True, width=100, record=True)
    with RunProgress(console, clock=lambda: clock[0]) as progress:

        def watched(event: StepEvent) -> None:
            progress(event)
            spinner.append(str(progress._status.status))

        _feed(watched, clock)
    assert "running [bold]dbt[/]…" in spinner and "dbt 3/4 int_identity__assignments" in spinner
    text = console.export_text()  # the spinner's frames too
    for line in ("✓ ingest raw/crm__customers (1.0 s)", "✓ dbt (4 of 4 nodes, 3.0 s)", "✗ publish (1.0 s)"):
        assert line in text
    assert not STAMP.search(text)


def test_a_run_without_a_terminal_prints_timestamped_steps_and_dbt_counts(demo_full):
    """The shared `cx360 run` of the demo (its stdout a pipe): every step and the dbt count on lines."""
    _, out = demo_full
    stamped = [line for line in out.splitlines() if STAMP.match(line)]
    assert any(line.endswith(" starting") for line in stamped[:1]), out[:2000]
    assert [line for line in stamped if "✓ ingest raw/crm__customers (" in line], out[:3000]
    counts = [tuple(map(int, m.groups())) for m in map(DBT_COUNT.search, stamped) if m]
    assert counts and counts[-1][0] == counts[-1][1] > 100, out[:6000]  # the last node of the build
    assert [c for c, _ in counts] == sorted(c for c, _ in counts)
    assert [line for line in stamped if "✓ dbt (" in line and " nodes, " in line] and "✓ publish (" in out
    times = [line[:19] for line in stamped]
    assert times == sorted(times)
