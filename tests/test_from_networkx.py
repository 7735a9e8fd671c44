"""An org chart from a networkx graph (Chart.from_networkx, simulator.orggraph) and written as
an org table (Chart.to_csv): small trees worked on paper, the errors for graphs that are not
reporting trees, round trips through the CSV and through Org.to_networkx, and runs on it.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from simulator.engine import Engine
from simulator.orgchart import build_org
from simulator.orgimport import Chart, OrgChartError, OrgTable, file_digest, read_org_table
from simulator.params import Params
from simulator.scenario import parse_scenario

#      ceo
#     /    \
#   cto    cfo
#   / \      \
# dev  ops   acc
EDGES = [("ceo", "cto"), ("ceo", "cfo"), ("cto", "dev"), ("cto", "ops"), ("cfo", "acc")]
IDS = ("ceo", "cto", "cfo", "dev", "ops", "acc")
MANAGERS = [-1, 0, 0, 1, 1, 2]


def same_table(a: OrgTable, b: OrgTable) -> None:
    assert a.ids == b.ids
    assert a.titles == b.titles
    assert a.unit_names == b.unit_names
    for field in ("manager", "depth", "level", "unit"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            assert x.tolist() == y.tolist(), field


def error(graph: nx.Graph, **kwargs: object) -> str:
    with pytest.raises(OrgChartError) as caught:
        Chart.from_networkx(graph, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


# -- small trees -------------------------------------------------------------------------------


def test_a_directed_tree_gives_each_person_their_manager_and_depth() -> None:
    chart = Chart.from_networkx(nx.DiGraph(EDGES))
    assert chart.n == 6 and chart.table.ids == IDS
    assert chart.table.manager.tolist() == MANAGERS
    assert chart.table.depth.tolist() == [0, 1, 1, 2, 2, 2]
    assert chart.table.level is None and chart.table.unit is None
    org = chart.org(Params().org, np.random.default_rng(0))
    # without units: one per direct report of the top leader, as for a table without them
    assert org.unit_names == ("Top team", "Unit 1", "Unit 2")
    assert org.unit.tolist() == [0, 1, 2, 1, 1, 2]


def test_edges_from_report_to_manager_and_an_undirected_tree_give_the_same_managers() -> None:
    up = nx.DiGraph([(b, a) for a, b in EDGES])
    up.add_nodes_from(IDS)  # (node order: the table's rows)
    ordered = nx.DiGraph()
    ordered.add_nodes_from(IDS)
    ordered.add_edges_from(up.edges)
    reversed_ = Chart.from_networkx(ordered, edges="report_to_manager")
    assert reversed_.table.manager.tolist() == MANAGERS
    tree = nx.Graph()
    tree.add_nodes_from(IDS)
    tree.add_edges_from(EDGES)
    assert Chart.from_networkx(tree, root="ceo").table.manager.tolist() == MANAGERS
    # another root turns the lines: cto at the top, ceo reporting to it
    assert Chart.from_networkx(tree, root="cto").table.manager.tolist() == [1, -1, 0, 1, 1, 2]


def test_node_ids_become_text_and_attributes_the_optional_columns() -> None:
    graph = nx.DiGraph()
    graph.add_node(10, title=" Chief ", unit="HQ", level=0)
    graph.add_node(11, unit="Sales", level=1)
    graph.add_node(12, level=3, title=None)
    graph.add_edges_from([(10, 11), (11, 12)])
    with pytest.warns(UserWarning, match="nobody is at level 2"):
        table = Chart.from_networkx(graph).table
    assert table.ids == ("10", "11", "12")
    assert table.titles == ("Chief", "", "")  # (stripped, as a CSV cell is read)
    assert table.unit_names == ("HQ", "Sales")
    assert table.unit is not None and table.unit.tolist() == [0, 1, 1]  # (12 inherits)
    assert table.level is not None and table.level.tolist() == [0, 1, 3]
    assert table.depth.tolist() == [0, 1, 2]


def test_levels_as_text_are_read_as_the_level_column_reads_them(tmp_path: Path) -> None:
    """GraphML reads node attributes as text unless declared: ``"0"`` is level 0, as in an
    org CSV (``"2.0"`` too); ``"2.5"`` and ``"x"`` are refused as a number 2.5 is."""
    graph = nx.DiGraph(EDGES)
    nx.set_node_attributes(
        graph, dict(zip(IDS, ["0", "1", "1", "2", "2.0", " 2"], strict=True)), "level"
    )
    numbers = nx.DiGraph(EDGES)
    nx.set_node_attributes(numbers, dict(zip(IDS, [0, 1, 1, 2, 2, 2], strict=True)), "level")
    chart = Chart.from_networkx(graph)
    assert chart.table.level is not None and chart.table.level.tolist() == [0, 1, 1, 2, 2, 2]
    assert chart.sha256 == Chart.from_networkx(numbers).sha256
    text = nx.DiGraph(EDGES)
    nx.set_node_attributes(text, dict(zip(IDS, [0, 1, 1, 2, 2, 2], strict=True)), "level")
    nx.write_graphml(text, tmp_path / "org.graphml")
    with open(tmp_path / "org.graphml", encoding="utf-8") as f:  # (declared as text)
        untyped = f.read().replace('attr.type="long"', 'attr.type="string"')
    (tmp_path / "org.graphml").write_text(untyped, encoding="utf-8")
    read = nx.read_graphml(tmp_path / "org.graphml")
    assert read.nodes["ceo"]["level"] == "0"
    assert Chart.from_networkx(read).sha256 == chart.sha256
    g = "networkx graph: "
    for bad in ("2.5", "x", "-1", "1001", ""):
        graph.nodes["dev"]["level"] = bad
        assert error(graph) == g + f"'dev': level = {bad!r}; must be a whole number from 0 to 1000"


def test_a_multigraph_s_parallel_edges_count_once() -> None:
    graph = nx.MultiDiGraph([*EDGES, ("ceo", "cto")])
    assert Chart.from_networkx(graph).table.manager.tolist() == MANAGERS


# -- errors -------------------------------------------------------------------------------------


def test_graphs_that_are_not_one_reporting_tree_are_refused_naming_the_node() -> None:
    g = "networkx graph: "
    assert (
        error(nx.DiGraph())
        == g + "no people (an empty graph); an org chart needs at least 2 people"
    )
    assert error(nx.DiGraph([("a", "a")])).startswith(g + "only 1 person ('a')")
    assert error(nx.DiGraph([*EDGES, ("cfo", "ops")])) == (
        g + "'ops' has 2 managers ('cto', 'cfo'); in a reporting tree each person has one"
        " (edges = 'manager_to_report': if yours run the other way, give"
        " edges='report_to_manager')"
    )
    assert error(nx.DiGraph([*EDGES, ("dev", "dev")])) == (
        g + "'dev' has an edge to itself; a tree has none"
    )
    assert error(nx.DiGraph([*EDGES, ("x", "y")])) == (
        g + "2 people have no manager ('ceo', 'x'); exactly one top leader is allowed (several"
        " trees? give them one top leader)"
    )
    loop = nx.DiGraph([*EDGES, ("a", "b"), ("b", "c"), ("c", "a")])
    assert error(loop) == (
        g + "the manager chain loops: 'a' -> 'c' -> 'b' -> 'a' (each person, then their"
        " manager); 3 people do not lead up to a top leader"
    )
    assert error(nx.DiGraph([("a", "b"), ("b", "a")])).startswith(
        g + "no top leader: the manager chain loops: 'a' -> 'b' -> 'a'"
    )
    assert error(nx.DiGraph(EDGES), root="cto") == (
        g + "root = 'cto' has a manager, 'ceo'; the top leader has none"
    )
    assert error(nx.DiGraph(EDGES), root="CEO") == (
        g + "root = 'CEO' is not a node of the graph; did you mean 'ceo'?"
    )


def test_an_undirected_graph_needs_its_root_and_to_be_a_tree() -> None:
    g = "networkx graph: "
    assert error(nx.Graph(EDGES)) == (
        g + "an undirected graph needs root = <its top leader>: its edges do not say who"
        " manages whom (or give a directed graph, edges manager -> report)"
    )
    assert error(nx.Graph([*EDGES, ("x", "y")]), root="ceo") == (
        g + "2 people are not joined to the root 'ceo' ('x', 'y'); a reporting tree joins"
        " everyone to the top leader"
    )
    message = error(nx.Graph([*EDGES, ("dev", "ops")]), root="ceo")
    assert message.startswith(g + "the graph has a loop, ")
    assert all(f"'{n}'" in message for n in ("cto", "dev", "ops"))
    assert message.endswith(": in a tree one path joins two people")


def test_ids_levels_and_cells_that_an_org_table_cannot_hold_are_refused() -> None:
    g = "networkx graph: "
    assert error(nx.DiGraph([(1, "1"), (1, 2)])) == (
        g + "node '1' (str(node) = '1') and node 1 both have the id '1'; ids must be unique"
    )
    assert error(nx.DiGraph([("ceo", " a")])) == (
        g + "node ' a' (str(node) = ' a') has spaces or line breaks at its ends or inside,"
        " which an org CSV drops"
    )
    graph = nx.DiGraph(EDGES)
    nx.set_node_attributes(graph, {"ceo": 0, "cto": 1}, name="level")
    assert error(graph) == g + "'cfo' has no level; give every node a level, or none"
    nx.set_node_attributes(graph, dict.fromkeys(IDS, 2), name="level")
    graph.nodes["dev"]["level"] = 2.5
    assert error(graph) == g + "'dev': level = 2.5; must be a whole number from 0 to 1000"
    graph.nodes["dev"]["level"] = 1
    assert error(graph) == (
        g + "'dev' (level 1) reports to 'cto' (level 2), but levels count down from 0 at the"
        " top: a manager's level must not be greater than their reports'"
    )
    graph = nx.DiGraph(EDGES)
    graph.nodes["ops"]["title"] = "Ops\nlead"
    assert error(graph, name="my graph") == (
        "my graph: 'ops': title = 'Ops\\nlead' has a line break; keep it on one line"
    )
    with pytest.raises(ValueError, match="edges = 'manager_to_reports': must be 'manager_to_"):
        Chart.from_networkx(nx.DiGraph(EDGES), edges="manager_to_reports")


# -- round trips --------------------------------------------------------------------------------


def test_the_chart_written_as_a_csv_reads_back_as_the_same_table(tmp_path: Path) -> None:
    graph = nx.DiGraph(EDGES)
    nx.set_node_attributes(graph, {"ceo": "Board", "cto": "Tech, R&D", "cfo": 'Fin "A"'}, "unit")
    nx.set_node_attributes(graph, dict(zip(IDS, [0, 1, 1, 2, 2, 2], strict=True)), "level")
    chart = Chart.from_networkx(graph)
    path = tmp_path / "org.csv"
    chart.to_csv(path)
    assert path.read_text(encoding="utf-8").splitlines()[:3] == [
        "id,manager_id,unit,title,level",
        "ceo,,Board,,0",
        'cto,ceo,"Tech, R&D",,1',
    ]
    read = Chart.read(path)
    same_table(read.table, chart.table)
    assert file_digest(path) == chart.sha256 == read.sha256
    assert read.table.unit is not None
    assert [read.table.unit_names[u] for u in read.table.unit] == [
        "Board", "Tech, R&D", 'Fin "A"', "Tech, R&D", "Tech, R&D", 'Fin "A"'
    ]  # fmt: skip


def test_a_read_chart_and_its_ties_are_written_as_tables_that_read_the_same(
    tmp_path: Path,
) -> None:
    org = tmp_path / "in.csv"
    org.write_text("sep=;\nID;Manager ID;Unit\nceo;;\na;ceo;Sales\nb;a;\nc;ceo;\n")
    ties = tmp_path / "ties.csv"
    ties.write_text("source,target\nb,c\na,c\n")
    chart = Chart.read(org).with_ties(ties)
    chart.to_csv(tmp_path / "out.csv", ties=tmp_path / "out_ties.csv")
    again = Chart.read(tmp_path / "out.csv").with_ties(tmp_path / "out_ties.csv")
    same_table(again.table, chart.table)
    assert again.lateral is not None and chart.lateral is not None
    assert again.lateral.tolist() == chart.lateral.tolist() == [[1, 3], [2, 3]]
    with pytest.raises(ValueError, match="this chart has no ties table to write"):
        Chart.read(org).to_csv(tmp_path / "x.csv", ties=tmp_path / "y.csv")
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "y.csv").exists()


def test_ties_asked_of_a_chart_without_them_leave_the_org_file_as_it_was(
    tmp_path: Path,
) -> None:
    """The refusal comes before anything is written: a file already there is kept (it was
    overwritten with the chart's table, and then the error came)."""
    target = tmp_path / "org.csv"
    target.write_text("what was there\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no ties table to write .*nothing written"):
        Chart.from_networkx(nx.DiGraph(EDGES)).to_csv(target, ties=tmp_path / "ties.csv")
    assert target.read_text(encoding="utf-8") == "what was there\n"
    assert not (tmp_path / "ties.csv").exists()


def test_org_to_networkx_and_back_keeps_every_manager_level_unit_and_title() -> None:
    org = build_org(Params().with_updates({"org.size": 60, "org.span": 4}), 3)
    full = org.to_networkx()
    reports = nx.DiGraph()
    reports.add_nodes_from((data["id"], data) for _, data in full.nodes(data=True))
    reports.add_edges_from(
        (full.nodes[i]["id"], full.nodes[j]["id"])
        for i, j, kind in full.edges(data="type")
        if kind == "report"
    )
    table = Chart.from_networkx(reports).table
    assert table.ids == tuple(org.ids)
    assert table.manager.tolist() == org.manager.tolist()
    assert table.level is not None and table.level.tolist() == org.level.tolist()
    assert table.unit is not None
    assert [table.unit_names[u] for u in table.unit] == [org.unit_names[u] for u in org.unit]
    # the whole multigraph is not a tree: the other ties are named as managers
    with pytest.raises(OrgChartError, match="managers"):
        Chart.from_networkx(full)


# -- runs on it -------------------------------------------------------------------------------


def test_a_run_on_the_graph_s_chart_equals_one_on_its_written_table(tmp_path: Path) -> None:
    graph = nx.balanced_tree(3, 3, create_using=nx.DiGraph)  # 40 people, edges down
    chart = Chart.from_networkx(graph)
    assert chart.n == 40 and chart.table.depth.max() == 3
    params = Params().with_updates({"steps": 12})
    on_graph = Engine(params, rng=4, chart=chart).run()
    path = tmp_path / "tree.csv"
    chart.to_csv(path)
    on_file = Engine(params, rng=4, chart=path).run()
    assert on_graph.org.n == 40
    assert on_graph.org.manager.tolist() == chart.table.manager.tolist()
    assert on_graph.series().equals(on_file.series())
    assert on_graph.outcomes().equals(on_file.outcomes())
    # a scenario on the written table identifies the same chart
    plan = parse_scenario(
        {"scenario": {"name": "tree", "seed": 1, "org_csv": str(path), "replications": 1}},
        source=str(tmp_path / "s.toml"),
    )[1]
    assert plan.chart is not None and plan.chart.describe() == chart.describe()
    assert read_org_table(path).ids == tuple(str(n) for n in graph.nodes)
