"""Graph input: CSRGraph constructors, id policy, edge-list files, error messages."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from graphemb.graph.convert import from_edge_arrays, from_networkx, to_networkx
from graphemb.graph.csr import CSRGraph
from graphemb.graph.io import read_edgelist

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GRAPHEMB_DATA", REPO.parent / "shared" / "datasets"))


def write(tmp_path: Path, text: str, name: str = "edges.txt", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def edge_set(g: CSRGraph) -> set:
    """Edges as (u, v[, w]) over original ids, from the CSR arrays."""
    out = set()
    for i in range(g.num_nodes):
        for k in range(g.indptr[i], g.indptr[i + 1]):
            j = int(g.indices[k])
            e = (g.nodes[i], g.nodes[j])
            out.add(e if g.weights is None else e + (float(g.weights[k]),))
    return out


def assert_valid(g: CSRGraph) -> None:
    """The arrays satisfy every invariant the checking constructor enforces."""
    assert g.indptr.dtype == np.int64
    assert g.indices.dtype == np.int32
    assert g.weights is None or g.weights.dtype == np.float32
    again = CSRGraph(g.indptr, g.indices, g.weights, nodes=g.nodes, directed=g.directed)
    assert again.num_edges == g.num_edges
    for i in range(g.num_nodes):
        row = g.indices[g.indptr[i] : g.indptr[i + 1]]
        assert np.all(np.diff(row) > 0), "rows must be sorted without duplicates"


# ------------------------------------------------------------ small graphs
def test_path_graph_from_networkx():
    g = CSRGraph.from_networkx(nx.path_graph(4))
    assert g.nodes == [0, 1, 2, 3]
    assert g.indptr.tolist() == [0, 1, 3, 5, 6]
    assert g.indices.tolist() == [1, 0, 2, 1, 3, 2]
    assert g.weights is None and not g.directed
    assert (g.num_nodes, g.num_edges) == (4, 3)
    assert_valid(g)


def test_star_graph_degrees():
    g = CSRGraph.from_networkx(nx.star_graph(5))  # centre 0, leaves 1..5
    assert g.degrees.tolist() == [5, 1, 1, 1, 1, 1]
    assert g.neighbors(0) == [1, 2, 3, 4, 5]
    assert g.num_edges == 5


def test_triangle_with_self_loop():
    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "a")])
    g = CSRGraph.from_networkx(G)
    assert g.nodes == ["a", "b", "c"]
    assert g.num_edges == 4  # the loop counts once
    assert g.neighbors("a") == ["a", "b", "c"]  # stored once, in its own row
    assert g.indptr.tolist() == [0, 3, 5, 7]
    H = g.to_networkx()
    assert nx.utils.graphs_equal(H, G) or set(map(frozenset, H.edges)) == set(map(frozenset, G.edges))
    assert nx.number_of_selfloops(H) == 1
    dropped = read_edgelist(pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "a"]}), self_loops="drop")
    assert dropped.num_edges == 2 and dropped.nodes == ["a", "b", "c"]


def test_directed_cycle_keeps_direction():
    g = CSRGraph.from_networkx(nx.DiGraph([(0, 1), (1, 2), (2, 0)]))
    assert g.directed
    assert g.indptr.tolist() == [0, 1, 2, 3]
    assert g.indices.tolist() == [1, 2, 0]
    assert g.has_edge(0, 1) and not g.has_edge(1, 0)
    H = g.to_networkx()
    assert H.is_directed() and sorted(H.edges) == [(0, 1), (1, 2), (2, 0)]


def test_multigraph_parallel_edges_are_summed():
    M = nx.MultiGraph()
    M.add_edge("x", "y", weight=2.0)
    M.add_edge("y", "x", weight=3.0)
    M.add_edge("y", "z", weight=0.5)
    g = CSRGraph.from_networkx(M)
    assert edge_set(g) == {("x", "y", 5.0), ("y", "x", 5.0), ("y", "z", 0.5), ("z", "y", 0.5)}
    assert g.num_edges == 2
    U = nx.MultiGraph([(0, 1), (0, 1), (0, 1), (1, 2)])  # unweighted: weight = multiplicity
    gu = CSRGraph.from_networkx(U)
    assert edge_set(gu) == {(0, 1, 3.0), (1, 0, 3.0), (1, 2, 1.0), (2, 1, 1.0)}
    D = nx.MultiDiGraph([(0, 1), (0, 1), (1, 0)])
    gd = CSRGraph.from_networkx(D)
    assert gd.directed and edge_set(gd) == {(0, 1, 2.0), (1, 0, 1.0)}
    assert CSRGraph.from_networkx(nx.MultiGraph([(0, 1), (1, 2)])).weights is None  # no parallel edges


def test_weighted_networkx_and_weight_none():
    G = nx.Graph()
    G.add_edge(0, 1, weight=0.25)
    G.add_edge(1, 2, weight=4)
    g = CSRGraph.from_networkx(G)
    assert edge_set(g) == {(0, 1, 0.25), (1, 0, 0.25), (1, 2, 4.0), (2, 1, 4.0)}
    assert CSRGraph.from_networkx(G, weight=None).weights is None
    G2 = nx.Graph()
    G2.add_edge(0, 1, sim=2.0)
    assert edge_set(CSRGraph.from_networkx(G2, weight="sim")) == {(0, 1, 2.0), (1, 0, 2.0)}
    H = g.to_networkx()
    assert H[1][2]["weight"] == 4.0 and H[0][1]["weight"] == 0.25


# ------------------------------------------------------------------ ids
@pytest.mark.parametrize(
    "edges",
    [
        [("alice", "bob"), ("bob", "carol")],
        [((0, 1), (1, 1)), ((1, 1), (2, 0))],
        [(1, "1"), ("1", 2), (2, 1)],  # 1 and "1" print alike but are different nodes
    ],
)
def test_id_round_trip_networkx(edges):
    G = nx.Graph(edges)
    g = CSRGraph.from_networkx(G)
    assert g.nodes == list(G.nodes)
    for u, v in edges:
        assert g.has_edge(u, v) and g.has_edge(v, u)
    H = g.to_networkx()
    assert list(H.nodes) == list(G.nodes)
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in G.edges}


def test_one_and_string_one_never_merged():
    g = CSRGraph.from_networkx(nx.Graph([(1, "1")]))
    assert g.num_nodes == 2 and g.index_of(1) != g.index_of("1")
    df = pd.DataFrame({"source": [1, "1"], "target": ["1", 2]}, dtype=object)
    gd = read_edgelist(df)
    assert gd.num_nodes == 3 and set(map(repr, gd.nodes)) == {"1", "'1'", "2"}
    assert gd.nodes == [1, "1", 2]  # mixed types: order of first appearance


def test_isolated_nodes_kept():
    G = nx.Graph([(0, 1)])
    G.add_node("lonely")
    g = CSRGraph.from_networkx(G)
    assert g.nodes == [0, 1, "lonely"] and g.degrees.tolist() == [1, 1, 0]
    assert "lonely" in g.to_networkx()


def test_edgelist_nodes_argument_adds_isolated(tmp_path):
    path = write(tmp_path, "1 2\n2 3\n")
    g = read_edgelist(path, nodes=[7, 3])
    assert g.nodes == [1, 2, 3, 7] and g.degrees.tolist() == [1, 2, 1, 0]
    gs = read_edgelist(write(tmp_path, "a b\n", "s.txt"), nodes=["z"])
    assert gs.nodes == ["a", "b", "z"]
    with pytest.raises(ValueError, match="'nodes' parameter of read_edgelist holds 'x'"):
        read_edgelist(path, nodes=["x"])
    only = read_edgelist(write(tmp_path, "# nothing\n", "e.txt"), nodes=[3, 1])
    assert only.nodes == [1, 3] and only.num_edges == 0


def test_int_ids_sorted_numerically_and_str_kept_verbatim(tmp_path):
    path = write(tmp_path, "10 9\n9 007\n")
    g = read_edgelist(path)
    assert g.nodes == [7, 9, 10]  # ints, ascending; '007' is the int 7
    gs = read_edgelist(path, node_type=str)
    assert gs.nodes == ["007", "10", "9"]
    both = read_edgelist(write(tmp_path, "7 007\n", "b.txt"), node_type=str)
    assert both.nodes == ["007", "7"] and both.num_edges == 1
    mixed = read_edgelist(write(tmp_path, "1 a\n2 1\n", "m.txt"))
    assert mixed.nodes == ["1", "2", "a"]  # not every token is an integer: all ids are str


# ---------------------------------------------------------- file formats
def test_crlf_comments_blank_lines_header(tmp_path):
    text = "# a comment\n\nsource\ttarget\tweight\n1\t2\t0.5\n  \n2\t3\t1.5 # trailing comment\n# end\n"
    path = write(tmp_path, text, newline="\r\n")
    g = read_edgelist(path, sep="\t")
    assert g.nodes == [1, 2, 3]
    assert edge_set(g) == {(1, 2, 0.5), (2, 1, 0.5), (2, 3, 1.5), (3, 2, 1.5)}
    assert read_edgelist(path).num_edges == 2  # sep=None: any whitespace


@pytest.mark.parametrize(
    ("text", "sep", "nodes"),
    [
        ("src,dst\n1, 2\n2 ,3\n", ",", [1, 2, 3]),
        ("u v\nx y\n", None, ["x", "y"]),
        ("from to\n1 2\n", None, [1, 2]),
        ("a b\n1 2\n", None, [1, 2]),  # ids not integers but the next line's are: a header
    ],
)
def test_header_detection(tmp_path, text, sep, nodes):
    assert read_edgelist(write(tmp_path, text), sep=sep).nodes == nodes


def test_header_false_and_true(tmp_path):
    path = write(tmp_path, "u v\nx y\n")
    assert read_edgelist(path, header=False).nodes == ["u", "v", "x", "y"]
    assert read_edgelist(write(tmp_path, "p q\nx y\n", "h.txt"), header=True).nodes == ["x", "y"]


def test_gzip_file(tmp_path):
    path = tmp_path / "edges.txt.gz"
    with gzip.open(path, "wt") as f:
        f.write("1 2\n2 3\n")
    assert read_edgelist(path).num_edges == 2


def test_weighted_false_ignores_weight_column_and_true_requires_it(tmp_path):
    path = write(tmp_path, "1 2 3.0\n2 3 4.0\n")
    assert read_edgelist(path).weights is not None
    assert read_edgelist(path, weighted=False).weights is None
    with pytest.raises(ValueError, match=r"edges2\.txt:1 .*weighted=True but the line has no weight"):
        read_edgelist(write(tmp_path, "1 2\n", "edges2.txt"), weighted=True)


def test_directed_file(tmp_path):
    g = read_edgelist(write(tmp_path, "1 2\n2 1\n2 3\n"), directed=True)
    assert g.directed and edge_set(g) == {(1, 2), (2, 1), (2, 3)} and g.num_edges == 3


# ---------------------------------------------------------- duplicates
def test_both_directions_listed_are_one_edge(tmp_path):
    path = write(tmp_path, "1 2 0.5\n2 1 0.5\n2 3 1\n2 3 1\n")
    g = read_edgelist(path)
    assert g.num_edges == 2
    assert edge_set(g) == {(1, 2, 0.5), (2, 1, 0.5), (2, 3, 1.0), (3, 2, 1.0)}  # not doubled
    summed = read_edgelist(path, duplicates="sum")
    assert edge_set(summed) == {(1, 2, 1.0), (2, 1, 1.0), (2, 3, 2.0), (3, 2, 2.0)}
    counted = read_edgelist(write(tmp_path, "1 2\n2 1\n", "u.txt"), duplicates="sum")
    assert edge_set(counted) == {(1, 2, 2.0), (2, 1, 2.0)}


def test_conflicting_duplicate_weights_name_both_lines(tmp_path):
    path = write(tmp_path, "# w\n1 2 0.5\n3 4 1\n2 1 0.7\n")
    with pytest.raises(ValueError, match=r"edges\.txt:2 .*weight 0\.5.*edges\.txt:4 .*weight 0\.7"):
        read_edgelist(path)
    with pytest.raises(ValueError, match=r"given twice: .*edges\.txt:2 .*edges\.txt:4"):
        read_edgelist(write(tmp_path, "# w\n1 2\n3 4\n2 1\n"), duplicates="error")


# --------------------------------------------------------- error paths
@pytest.mark.parametrize(
    ("text", "lineno", "pattern"),
    [
        ("1 2\n2 3 4 5\n", 2, "expected 2 fields"),
        ("1 2 1.0\n2 3\n", 2, "expected 3 fields"),
        ("1 2\n3\n", 2, "expected 2 fields"),
        ("1 2 1\n2 3 abc\n", 2, "weight 'abc' is not a number"),
        ("1 2 1\n\n2 3 -2\n", 3, "negative"),
        ("1 2 1\n2 3 nan\n", 2, "finite"),
        ("1 2 1\n2 3 inf\n", 2, "finite"),
        ("1 2 1\n2 3 0\n", 2, "zero_weights='drop'"),
        ("1 2 3 4\n", 1, "expected 2 fields"),
        ("1 2 1\n2 3 1e300\n", 2, "float32"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path, text, lineno, pattern):
    path = write(tmp_path, "# header comment\n" + text)
    with pytest.raises(ValueError, match=pattern) as err:
        read_edgelist(path)
    assert f"edges.txt:{lineno + 1} " in str(err.value)
    bad_line = text.splitlines()[lineno - 1]
    assert repr(bad_line) in str(err.value)


def test_tab_file_with_empty_field(tmp_path):
    path = write(tmp_path, "a\tb\nc\t\n")
    with pytest.raises(ValueError, match=r"edges\.txt:2 .*(empty field|expected 2)"):
        read_edgelist(path, sep="\t")


def test_node_type_int_rejects_words(tmp_path):
    path = write(tmp_path, "1 2\n2 x\n")
    with pytest.raises(ValueError, match=r"edges\.txt:2 \('2 x'\): node id 'x' is not an integer"):
        read_edgelist(path, node_type=int)


def test_zero_weights_drop_keeps_endpoints(tmp_path):
    g = read_edgelist(write(tmp_path, "1 2 1\n2 3 0\n"), zero_weights="drop")
    assert g.nodes == [1, 2, 3] and g.num_edges == 1 and g.degrees.tolist() == [1, 1, 0]


def test_empty_inputs(tmp_path):
    with pytest.raises(ValueError, match="no edges and no nodes were given"):
        read_edgelist(write(tmp_path, "# only comments\n\n"))
    with pytest.raises(ValueError, match="no edges and no nodes were given"):
        read_edgelist(write(tmp_path, "source target\n", "h.txt"))
    with pytest.raises(ValueError, match="empty"):
        CSRGraph.from_networkx(nx.Graph())
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_edgelist(tmp_path / "missing.tsv")
    with pytest.raises(TypeError, match="file path"):
        read_edgelist(123)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"sep": "ab"}, "The 'sep' parameter of read_edgelist"),
        ({"comment": " "}, "The 'comment' parameter"),
        ({"weighted": "yes"}, "The 'weighted' parameter"),
        ({"duplicates": "max"}, "The 'duplicates' parameter of read_edgelist must be one of"),
        ({"self_loops": "x"}, "The 'self_loops' parameter"),
        ({"zero_weights": 0}, "The 'zero_weights' parameter"),
        ({"node_type": float}, "The 'node_type' parameter"),
        ({"header": 1}, "The 'header' parameter"),
        ({"nodes": "abc"}, "The 'nodes' parameter"),
    ],
)
def test_parameter_validation(tmp_path, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        read_edgelist(write(tmp_path, "1 2\n"), **kwargs)


def test_networkx_weight_errors_name_edge_and_attribute():
    G = nx.Graph()
    G.add_edge("a", "b", weight=1.0)
    G.add_edge("b", "c", weight=-2.0)
    with pytest.raises(ValueError, match=r"edge \('b', 'c'\) attribute 'weight'.*negative"):
        from_networkx(G)
    G["b"]["c"]["weight"] = float("nan")
    with pytest.raises(ValueError, match=r"edge \('b', 'c'\) attribute 'weight'.*finite"):
        from_networkx(G)
    G["b"]["c"]["weight"] = 0
    with pytest.raises(ValueError, match=r"edge \('b', 'c'\).*zero_weights='drop'"):
        from_networkx(G)
    assert from_networkx(G, zero_weights="drop").num_edges == 1
    G["b"]["c"]["weight"] = "2.5"
    with pytest.raises(ValueError, match=r"Edge \('b', 'c'\) has 'weight' attribute '2.5' of type str"):
        from_networkx(G)
    del G["b"]["c"]["weight"]
    with pytest.raises(ValueError, match=r"Edge \('b', 'c'\) has no 'weight' attribute while other edges do"):
        from_networkx(G)
    with pytest.raises(ValueError, match=r"No edge of the graph carries the weight attribute 'cost'"):
        from_networkx(G, weight="cost")
    with pytest.raises(TypeError, match="networkx Graph"):
        from_networkx([(0, 1)])


def test_dataframe_input():
    df = pd.DataFrame({"u": [1, 2], "v": [2, 3], "w": [0.5, 2.0]})
    g = read_edgelist(df)
    assert edge_set(g) == {(1, 2, 0.5), (2, 1, 0.5), (2, 3, 2.0), (3, 2, 2.0)}
    named = pd.DataFrame({"time": [5, 6], "target": ["b", "c"], "source": ["a", "b"]})
    gn = CSRGraph.from_edgelist(named)
    assert gn.nodes == ["a", "b", "c"] and gn.weights is None
    with pytest.raises(ValueError, match=r"DataFrame row 1 \(index 11.*source id is missing"):
        read_edgelist(pd.DataFrame({"source": ["a", None], "target": ["b", "c"]}, index=[10, 11]))
    with pytest.raises(ValueError, match="weight column 'weight' of the DataFrame has dtype"):
        read_edgelist(pd.DataFrame({"source": [1], "target": [2], "weight": ["x"]}))
    with pytest.raises(ValueError, match=r"DataFrame row 0 .*negative"):
        read_edgelist(pd.DataFrame({"source": [1], "target": [2], "weight": [-1.0]}))
    with pytest.raises(ValueError, match="has 4 columns"):
        read_edgelist(pd.DataFrame({"a": [1], "b": [2], "c": [3], "d": [4]}))


# ------------------------------------------------------- against references
def test_random_graph_matches_networkx_adjacency():
    rng = np.random.default_rng(7)
    k = 300
    src, dst = rng.integers(0, 60, k), rng.integers(0, 60, k)
    w = rng.uniform(0.1, 2.0, k).round(3)
    df = pd.DataFrame({"source": src, "target": dst, "weight": w})
    g = read_edgelist(df, duplicates="sum")
    assert_valid(g)
    M = nx.MultiGraph()
    M.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), w.tolist(), strict=True))
    ref = nx.to_scipy_sparse_array(M, nodelist=g.nodes, weight="weight", format="csr")  # sums parallel edges
    ours = g.to_scipy()
    assert ours.shape == ref.shape
    assert np.allclose(ours.toarray(), ref.toarray(), rtol=1e-6)
    gm = from_networkx(M)
    assert_valid(gm)
    order = gm.indices_of(g.nodes)
    assert np.allclose(gm.to_scipy().toarray()[np.ix_(order, order)], ours.toarray(), rtol=1e-6)


def test_scipy_round_trip():
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 1.5), ("b", "c", 2.0), ("c", "c", 0.5)])
    G.add_node("d")
    g = CSRGraph.from_networkx(G)
    A = g.to_scipy()
    assert A.dtype == np.float32 and (A != A.T).nnz == 0
    back = CSRGraph.from_scipy(A, nodes=g.nodes)
    assert back.nodes == g.nodes and not back.directed
    assert np.array_equal(back.indptr, g.indptr) and np.array_equal(back.indices, g.indices)
    assert np.array_equal(back.weights, g.weights)
    d = CSRGraph.from_scipy(sp.csr_array(np.array([[0, 1], [0, 0]])))
    assert d.directed and d.to_scipy().toarray().tolist() == [[0, 1], [0, 0]]


def test_from_edge_arrays_low_level():
    g = from_edge_arrays(np.array([0, 2]), np.array([1, 1]), None, ["p", "q", "r"])
    assert edge_set(g) == {("p", "q"), ("q", "p"), ("r", "q"), ("q", "r")}
    with pytest.raises(ValueError, match=r"in \[0, 2\]"):
        from_edge_arrays(np.array([0]), np.array([3]), None, ["p", "q", "r"])


def test_to_networkx_is_the_same_graph():
    G = nx.les_miserables_graph()
    H = to_networkx(CSRGraph.from_networkx(G))
    assert list(H.nodes) == list(G.nodes)
    assert {(frozenset((u, v)), d["weight"]) for u, v, d in H.edges(data=True)} == {
        (frozenset((u, v)), float(np.float32(d["weight"]))) for u, v, d in G.edges(data=True)
    }


# ---------------------------------------------------------- shared datasets
@pytest.mark.parametrize(("name", "num_nodes"), [("blogcatalog", 10_312), ("ppi", None)])
def test_shared_dataset_shapes(name, num_nodes):
    path = DATA / name / "edges.tsv"
    if not path.is_file():
        pytest.skip(f"{path} not found (set GRAPHEMB_DATA)")
    g = read_edgelist(path)
    plain = pd.read_csv(path, sep="\t", header=None, comment="#")
    pairs = np.sort(plain[[0, 1]].to_numpy(), axis=1)
    expected_edges = len(np.unique(pairs, axis=0))
    ids = np.unique(plain[[0, 1]].to_numpy())
    assert g.num_edges == expected_edges
    assert g.num_nodes == len(ids) and g.nodes == ids.tolist()
    if num_nodes is not None:
        assert g.num_nodes == num_nodes
    loops = int(np.count_nonzero(pairs[:, 0] == pairs[:, 1]))
    assert g.indices.size == 2 * expected_edges - loops
    assert not g.directed and g.weights is None and g.indices.dtype == np.int32


def test_sparse_negative_and_huge_int_ids(tmp_path):
    g = read_edgelist(write(tmp_path, "-5 1000000000\n1000000000 3\n"))
    assert g.nodes == [-5, 3, 1_000_000_000] and g.num_edges == 2
    big = read_edgelist(write(tmp_path, "99999999999999999999 1\n", "big.txt"))
    assert big.nodes == [1, 99999999999999999999]
    assert big.has_edge(1, 99999999999999999999)


def test_first_bad_weight_is_the_one_weight_rule():
    from graphemb.graph.csr import first_bad_weight

    assert first_bad_weight(np.array([1.0, 0.0, -1.0, np.nan])) == (3, "non-finite")
    assert first_bad_weight(np.array([1.0, 0.0, -2.0])) == (2, "negative")
    assert first_bad_weight(np.array([1.0, 0.0, 2.0])) == (1, "zero")
    assert first_bad_weight(np.array([1.0, 0.0, 2.0]), allow_zero=True) is None
    assert first_bad_weight(np.array([], dtype=np.float64)) is None
