"""Settings read from the environment: a wrong value is refused, naming the variable and the value."""

from __future__ import annotations

import pytest

from orchestration.settings import ENV_DBT_THREADS, ENV_REJECTED, Settings


def test_dbt_threads_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DBT_THREADS, "1")
    assert Settings.from_env(warehouse_dir=tmp_path).dbt_threads == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (ENV_DBT_THREADS, "two", "CX360_DBT_THREADS must be a whole number of at least 1, not 'two'"),
        (ENV_DBT_THREADS, "0", "CX360_DBT_THREADS must be a whole number of at least 1, not '0'"),
        (ENV_REJECTED, "ignore", "CX360_REJECTED_BATCHES must be 'block' or 'warn', not 'ignore'"),
    ],
)
def test_a_wrong_setting_is_refused_by_name(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as error:
        Settings.from_env(warehouse_dir=tmp_path)
    assert str(error.value) == message
