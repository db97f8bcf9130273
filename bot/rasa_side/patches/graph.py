"""Rasa runs its model graph (tokeniser, featurisers, classifier; then the policies) through
dask's scheduler, twice or three times per message, after pruning the graph schema each
time: about 10% of the Rasa server's samples were that bookkeeping. ``_run_graph`` runs the
same nodes in dependency order with the pruned graph kept per target list."""

from __future__ import annotations

from typing import Any


def _run_graph(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask: each needed node once, its needs first."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = list(targets) if targets else list(self._graph_schema.target_names)
    cache = self.__dict__.setdefault("_bot_graphs", {})
    graph = cache.get(tuple(run_targets))
    if graph is None:
        schema = self._graph_schema.minimal_graph_schema(run_targets)
        graph = {name: (self._instantiated_nodes[name], list(node.needs.values()))
                 for name, node in schema.nodes.items()}
        cache[tuple(run_targets)] = graph
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in graph:
            raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of "
                                "the input names passed to the `run` method are the same as node names.")
        values[name] = (name, value)  # what dask made of an input: a literal (name, value) pair

    def result(name: str) -> Any:
        if name not in values:
            node, needs = graph[name]
            values[name] = node(*[result(need) for need in needs])
        return values[name]

    try:
        return dict(result(target) for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


def install() -> None:
    from rasa.engine.runner.dask import DaskGraphRunner

    DaskGraphRunner.run = _run_graph  # type: ignore[method-assign]
