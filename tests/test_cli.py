"""The cx360 command's surface: version, typed options that show their choices and format (no build)."""

from __future__ import annotations

from typer.testing import CliRunner

from orchestration.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == "cx360 0.1.0"


def test_run_help_shows_choices_formats_and_the_environment():
    help_text = runner.invoke(app, ["run", "--help"]).output
    assert "<block|warn>" in help_text and "<%Y-%m-%d>" in help_text
    assert "(env CX360_LANDING_DIR; default: the demo)" in help_text


def test_a_wrong_choice_or_date_is_refused_before_anything_runs(tmp_path):
    wrong = runner.invoke(app, ["run", "--warehouse", str(tmp_path), "--rejected-batches", "ignore"])
    assert wrong.exit_code == 2 and "'ignore' is not one of 'block', 'warn'" in wrong.output
    bad_date = runner.invoke(app, ["run", "--warehouse", str(tmp_path), "--as-of", "2026-13-01"])
    assert bad_date.exit_code == 2 and "'2026-13-01' does not match the formats '%Y-%m-%d'" in bad_date.output
    assert list(tmp_path.iterdir()) == []
