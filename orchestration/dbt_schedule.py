"""The order in which dbt starts the nodes that are ready: the longest chain to the end first.

dbt gives a free thread the ready node of the lowest graph level, ties broken by name. With two
threads (Spark's default; on DuckDB one, and then the order changes nothing) that lets a node
whose name sorts first take the thread the build's longest chain is waiting for: after the
identity assignments, `int_customer_identifiers_pivoted` and `int_customers_listed` went before
`int_journey_scope`, and the journey, which everything after it waits for, started when one of
them was done (a day's build at 1M: the journey 22.8 s into dbt instead of 30.4 s). In a
full build the scope takes a fraction of a second, and the other thread takes one of them anyway.

`critical_path_first()` patches dbt's queue in this process: a node goes before another when more
nodes still have to run after it, one after the other (the longest chain from it to the end of the
build, counted in nodes); level and name only break ties. It changes when a node starts, never
what it waits for. dbt-core is pinned below 1.12: if the queue's internals move, nothing is patched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


def chain_lengths(graph: nx.DiGraph) -> dict[str, int]:
    """For each node, the most nodes on one path from it to the end of the graph, itself included."""
    longest: dict[str, int] = {}

    def visit(node: str) -> int:  # as deep as the longest chain: tens of nodes
        if node not in longest:
            longest[node] = 1 + max((visit(child) for child in graph.successors(node)), default=0)
        return longest[node]

    for node in graph:
        visit(node)
    return longest


def critical_path_first() -> bool:
    """Patch dbt's GraphQueue in this process; True if applied."""
    try:
        from dbt.graph.queue import GraphQueue
    except ImportError:
        return False
    level_scores = getattr(GraphQueue, "_get_scores", None)
    if level_scores is None or getattr(level_scores, "critical_path_first", False):
        return level_scores is not None

    def scores(self, graph: nx.DiGraph) -> dict[str, tuple[int, int]]:
        # the queue holds (score, node) and takes the lowest: the longest chain, then the level
        levels = level_scores(self, graph)
        return {node: (-length, levels[node]) for node, length in chain_lengths(graph).items()}

    scores.critical_path_first = True
    GraphQueue._get_scores = scores
    return True
