"""dbt's order of ready nodes (orchestration/dbt_schedule.py): the longest chain to the end first."""

from __future__ import annotations

import json

import networkx as nx

from orchestration.dbt_schedule import chain_lengths


def test_a_node_counts_the_longest_chain_of_nodes_after_it():
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("a", "e"), ("e", "d"), ("f", "d")])
    assert chain_lengths(graph) == {"a": 4, "b": 3, "c": 2, "d": 1, "e": 2, "f": 2}


def _started_at(dbt_log, nodes: set[str]) -> dict[str, str]:
    """When the main build (the invocation with the most nodes) started each of `nodes`."""
    builds: dict[str, dict[str, str]] = {}
    for line in dbt_log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        node = event.get("data", {}).get("node_info", {})
        if node.get("node_started_at"):
            builds.setdefault(event["info"]["invocation_id"], {})[node["unique_id"]] = node["node_started_at"]
    main = max(builds.values(), key=len)
    return {name: main[f"model.cx360.{name}"] for name in nodes}


def test_the_journey_scope_starts_before_the_model_whose_name_sorts_first(demo_full):
    """Both wait only for the identity assignments; the journey, which everything after it waits
    for, comes after the scope, so the scope takes the first free thread (dbt's own order took the
    name first: int_customer... < int_journey...)."""
    settings, _ = demo_full
    started = _started_at(
        settings.dbt_target_dir / "dbt.log", {"int_journey_scope", "int_customer_identifiers_pivoted"}
    )
    assert started["int_journey_scope"] <= min(started.values()), started
