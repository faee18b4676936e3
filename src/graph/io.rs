//! Reading and writing graph collections.
//!
//! The primary format is the JSON graph list used for the GDSS benchmark sets under
//! `shared/data/graphs/`:
//!
//! ```json
//! {"name": "community_small", "graphs": [{"num_nodes": 3, "edges": [[0, 1], [1, 2]]}]}
//! ```
//!
//! Node ids are `0..num_nodes`; every edge is undirected and listed once. `name` and `source`
//! are optional free-text fields. GDSS's split convention (no shuffling, test = first
//! ⌊0.2·n⌋ graphs in file order) is available as [`GraphList::split_test_train`].
//!
//! Two secondary readers are provided: a plain edge-list text file ([`read_edge_list`]) and the
//! TU benchmark format ([`read_tu_dataset`], e.g. ENZYMES' `*_A.txt` + `*_graph_indicator.txt`).

use std::collections::HashSet;
use std::path::Path;

use petgraph::graph::{NodeIndex, UnGraph};
use serde::{Deserialize, Serialize};

/// The graph type used throughout the module: undirected, unlabelled.
pub type Graph = UnGraph<(), ()>;

/// A `(test, train)` split of a graph list.
pub type TestTrainSplit = (Vec<Graph>, Vec<Graph>);

/// Errors raised while reading or validating graphs.
#[derive(Debug, thiserror::Error)]
pub enum GraphIoError {
    /// Underlying file-system error.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// File that failed.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Malformed JSON or wrong schema.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// An edge refers to a node id outside `0..num_nodes`.
    #[error("graph {graph}: edge {edge} = ({u}, {v}) has a node id outside 0..{num_nodes}")]
    NodeOutOfRange {
        /// Index of the graph in the list.
        graph: usize,
        /// Index of the edge in the graph's edge list.
        edge: usize,
        /// First endpoint.
        u: usize,
        /// Second endpoint.
        v: usize,
        /// Declared number of nodes.
        num_nodes: usize,
    },
    /// A self loop was found while self loops are not allowed.
    #[error("graph {graph}: edge {edge} is a self loop on node {node}")]
    SelfLoop {
        /// Index of the graph in the list.
        graph: usize,
        /// Index of the edge.
        edge: usize,
        /// The node.
        node: usize,
    },
    /// The same undirected edge appears twice while duplicates are not allowed.
    #[error("graph {graph}: edge {edge} = ({u}, {v}) is a duplicate")]
    DuplicateEdge {
        /// Index of the graph in the list.
        graph: usize,
        /// Index of the edge.
        edge: usize,
        /// First endpoint.
        u: usize,
        /// Second endpoint.
        v: usize,
    },
    /// A line of a text format could not be parsed.
    #[error("{file}:{line}: {msg}")]
    Parse {
        /// File (or description) being parsed.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What went wrong.
        msg: String,
    },
}

/// Validation options for converting edge lists into graphs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValidateOptions {
    /// Accept `[u, u]` edges (they are kept as petgraph self loops).
    pub allow_self_loops: bool,
    /// Accept an undirected edge listed more than once (kept as parallel edges).
    pub allow_duplicates: bool,
}

/// One graph in the JSON format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphRecord {
    /// Number of nodes; node ids are `0..num_nodes`.
    pub num_nodes: usize,
    /// Undirected edges, each listed once.
    pub edges: Vec<[usize; 2]>,
}

/// A list of graphs as stored in `shared/data/graphs/*.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GraphList {
    /// Optional data-set name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Optional provenance note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The graphs, in file order.
    pub graphs: Vec<GraphRecord>,
}

impl GraphRecord {
    /// Builds a record from a petgraph graph (node ids = petgraph indices, edges `u <= v`).
    pub fn from_graph(g: &UnGraph<(), ()>) -> Self {
        let edges = g
            .edge_indices()
            .map(|e| {
                let (a, b) = g.edge_endpoints(e).expect("edge index from the graph");
                let (a, b) = (a.index(), b.index());
                [a.min(b), a.max(b)]
            })
            .collect();
        Self {
            num_nodes: g.node_count(),
            edges,
        }
    }

    /// Validates and converts to a petgraph graph. `index` is used in error messages.
    pub fn to_graph(
        &self,
        index: usize,
        opts: ValidateOptions,
    ) -> Result<UnGraph<(), ()>, GraphIoError> {
        let n = self.num_nodes;
        let mut g = UnGraph::<(), ()>::with_capacity(n, self.edges.len());
        for _ in 0..n {
            g.add_node(());
        }
        let mut seen = HashSet::with_capacity(self.edges.len());
        for (k, &[u, v]) in self.edges.iter().enumerate() {
            if u >= n || v >= n {
                return Err(GraphIoError::NodeOutOfRange {
                    graph: index,
                    edge: k,
                    u,
                    v,
                    num_nodes: n,
                });
            }
            if u == v && !opts.allow_self_loops {
                return Err(GraphIoError::SelfLoop {
                    graph: index,
                    edge: k,
                    node: u,
                });
            }
            if !seen.insert((u.min(v), u.max(v))) && !opts.allow_duplicates {
                return Err(GraphIoError::DuplicateEdge {
                    graph: index,
                    edge: k,
                    u,
                    v,
                });
            }
            g.add_edge(NodeIndex::new(u), NodeIndex::new(v), ());
        }
        Ok(g)
    }
}

impl GraphList {
    /// Parses the JSON text (no validation of the graphs yet).
    pub fn from_json_str(s: &str) -> Result<Self, GraphIoError> {
        Ok(serde_json::from_str(s)?)
    }

    /// Reads a JSON file.
    pub fn read_json(path: impl AsRef<Path>) -> Result<Self, GraphIoError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| GraphIoError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json_str(&text)
    }

    /// Serialises to compact JSON.
    pub fn to_json_string(&self) -> Result<String, GraphIoError> {
        Ok(serde_json::to_string(self)?)
    }

    /// Writes a JSON file.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<(), GraphIoError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json_string()?).map_err(|source| GraphIoError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Builds a list from petgraph graphs.
    pub fn from_graphs<'a>(graphs: impl IntoIterator<Item = &'a UnGraph<(), ()>>) -> Self {
        Self {
            name: None,
            source: None,
            graphs: graphs.into_iter().map(GraphRecord::from_graph).collect(),
        }
    }

    /// Validates every graph (errors name the graph index) and converts to petgraph graphs.
    pub fn to_graphs(&self, opts: ValidateOptions) -> Result<Vec<UnGraph<(), ()>>, GraphIoError> {
        self.graphs
            .iter()
            .enumerate()
            .map(|(i, r)| r.to_graph(i, opts))
            .collect()
    }

    /// GDSS split: returns `(test, train)` with test = the first ⌊0.2·len⌋ graphs in file order.
    pub fn split_test_train(&self, opts: ValidateOptions) -> Result<TestTrainSplit, GraphIoError> {
        let mut all = self.to_graphs(opts)?;
        let n_test = (self.graphs.len() as f64 * 0.2).floor() as usize;
        let train = all.split_off(n_test);
        Ok((all, train))
    }
}

/// Reads the JSON graph list at `path` and validates it with default options
/// (no self loops, no duplicate edges).
pub fn read_graphs_json(path: impl AsRef<Path>) -> Result<Vec<UnGraph<(), ()>>, GraphIoError> {
    GraphList::read_json(path)?.to_graphs(ValidateOptions::default())
}

/// Parses a single graph from edge-list text: one `u v` pair per line (whitespace or comma
/// separated), `#`/`%` comments and blank lines ignored. The number of nodes is
/// `max(id) + 1`, or `num_nodes` when given (which must cover all ids).
pub fn parse_edge_list(
    text: &str,
    num_nodes: Option<usize>,
    opts: ValidateOptions,
) -> Result<UnGraph<(), ()>, GraphIoError> {
    let mut edges = Vec::new();
    let mut max_id = None::<usize>;
    for (ln, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('%') {
            continue;
        }
        let ids = parse_ids(line, "edge list", ln + 1)?;
        if ids.len() < 2 {
            return Err(GraphIoError::Parse {
                file: "edge list".into(),
                line: ln + 1,
                msg: "expected two node ids".into(),
            });
        }
        let (u, v) = (ids[0], ids[1]);
        max_id = Some(max_id.map_or(u.max(v), |m| m.max(u).max(v)));
        edges.push([u, v]);
    }
    let n = num_nodes.unwrap_or(max_id.map_or(0, |m| m + 1));
    GraphRecord {
        num_nodes: n,
        edges,
    }
    .to_graph(0, opts)
}

/// Reads a single graph from an edge-list text file (see [`parse_edge_list`]).
pub fn read_edge_list(
    path: impl AsRef<Path>,
    num_nodes: Option<usize>,
    opts: ValidateOptions,
) -> Result<UnGraph<(), ()>, GraphIoError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| GraphIoError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_edge_list(&text, num_nodes, opts)
}

fn parse_ids(line: &str, file: &str, ln: usize) -> Result<Vec<usize>, GraphIoError> {
    line.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<usize>().map_err(|e| GraphIoError::Parse {
                file: file.into(),
                line: ln,
                msg: format!("bad id {t:?}: {e}"),
            })
        })
        .collect()
}

/// Parses the TU benchmark format from the text of `<DS>_A.txt` (lines `i, j` with 1-based
/// global node ids, each undirected edge usually listed in both directions) and
/// `<DS>_graph_indicator.txt` (line k = 1-based graph id of global node k).
///
/// Reverse duplicates are merged. Isolated nodes are kept; GDSS removes them for ENZYMES
/// (do that with [`remove_isolated`]).
pub fn parse_tu(a_txt: &str, indicator_txt: &str) -> Result<Vec<UnGraph<(), ()>>, GraphIoError> {
    let mut graph_of = Vec::new();
    for (ln, line) in indicator_txt.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let ids = parse_ids(line, "graph_indicator", ln + 1)?;
        match ids.first() {
            Some(&g) if g >= 1 => graph_of.push(g - 1),
            _ => {
                return Err(GraphIoError::Parse {
                    file: "graph_indicator".into(),
                    line: ln + 1,
                    msg: "expected a 1-based graph id".into(),
                });
            }
        }
    }
    let n_graphs = graph_of.iter().max().map_or(0, |m| m + 1);
    let mut local = vec![0usize; graph_of.len()];
    let mut counts = vec![0usize; n_graphs];
    for (k, &g) in graph_of.iter().enumerate() {
        local[k] = counts[g];
        counts[g] += 1;
    }
    let mut records: Vec<GraphRecord> = counts
        .iter()
        .map(|&c| GraphRecord {
            num_nodes: c,
            edges: Vec::new(),
        })
        .collect();
    let mut seen = HashSet::new();
    for (ln, line) in a_txt.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let ids = parse_ids(line, "A", ln + 1)?;
        let bad = |msg: &str| GraphIoError::Parse {
            file: "A".into(),
            line: ln + 1,
            msg: msg.into(),
        };
        if ids.len() < 2 {
            return Err(bad("expected two node ids"));
        }
        let (i, j) = (ids[0], ids[1]);
        if i == 0 || j == 0 || i > graph_of.len() || j > graph_of.len() {
            return Err(bad("node id outside the graph indicator"));
        }
        let (gi, gj) = (graph_of[i - 1], graph_of[j - 1]);
        if gi != gj {
            return Err(bad("edge joins two different graphs"));
        }
        if seen.insert((i.min(j), i.max(j))) {
            records[gi].edges.push([local[i - 1], local[j - 1]]);
        }
    }
    let opts = ValidateOptions {
        allow_self_loops: true,
        allow_duplicates: false,
    };
    records
        .iter()
        .enumerate()
        .map(|(k, r)| r.to_graph(k, opts))
        .collect()
}

/// Reads a TU data set from `dir/<name>_A.txt` and `dir/<name>_graph_indicator.txt`.
pub fn read_tu_dataset(
    dir: impl AsRef<Path>,
    name: &str,
) -> Result<Vec<UnGraph<(), ()>>, GraphIoError> {
    let read = |suffix: &str| {
        let p = dir.as_ref().join(format!("{name}_{suffix}.txt"));
        std::fs::read_to_string(&p).map_err(|source| GraphIoError::Io {
            path: p.display().to_string(),
            source,
        })
    };
    parse_tu(&read("A")?, &read("graph_indicator")?)
}

/// Returns a copy without self loops and without isolated nodes (nodes renumbered in order),
/// the clean-up GDSS applies to generated graphs and to ENZYMES.
pub fn remove_isolated(g: &UnGraph<(), ()>) -> UnGraph<(), ()> {
    let n = g.node_count();
    let mut deg = vec![0usize; n];
    let mut edges = Vec::new();
    for e in g.edge_indices() {
        let (a, b) = g.edge_endpoints(e).expect("edge index from the graph");
        if a != b {
            deg[a.index()] += 1;
            deg[b.index()] += 1;
            edges.push((a.index(), b.index()));
        }
    }
    let mut new_id = vec![usize::MAX; n];
    let mut out = UnGraph::<(), ()>::default();
    for v in 0..n {
        if deg[v] > 0 {
            new_id[v] = out.add_node(()).index();
        }
    }
    for (a, b) in edges {
        out.add_edge(NodeIndex::new(new_id[a]), NodeIndex::new(new_id[b]), ());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_roundtrip_and_split() {
        let text = include_str!("testdata/community_small.json");
        let list = GraphList::from_json_str(text).unwrap();
        assert_eq!(list.name.as_deref(), Some("community_small"));
        let (test, train) = list.split_test_train(ValidateOptions::default()).unwrap();
        assert_eq!((test.len(), train.len()), (20, 80));
        assert_eq!(test[0].node_count(), list.graphs[0].num_nodes);
        let back = GraphList::from_graphs(test.iter());
        let again = back.to_graphs(ValidateOptions::default()).unwrap();
        assert_eq!(again[3].edge_count(), test[3].edge_count());
        let s = back.to_json_string().unwrap();
        assert_eq!(GraphList::from_json_str(&s).unwrap(), back);
    }

    #[test]
    fn validation_errors_name_the_graph() {
        let text = r#"{"graphs": [{"num_nodes": 2, "edges": [[0, 1]]}, {"num_nodes": 2, "edges": [[0, 2]]}]}"#;
        let err = GraphList::from_json_str(text)
            .unwrap()
            .to_graphs(ValidateOptions::default())
            .unwrap_err();
        assert!(matches!(
            err,
            GraphIoError::NodeOutOfRange {
                graph: 1,
                edge: 0,
                ..
            }
        ));
        assert!(err.to_string().starts_with("graph 1:"));

        let text = r#"{"graphs": [{"num_nodes": 3, "edges": [[0, 1], [2, 2]]}]}"#;
        let list = GraphList::from_json_str(text).unwrap();
        assert!(matches!(
            list.to_graphs(ValidateOptions::default()),
            Err(GraphIoError::SelfLoop {
                graph: 0,
                edge: 1,
                node: 2
            })
        ));
        let opts = ValidateOptions {
            allow_self_loops: true,
            ..Default::default()
        };
        assert_eq!(list.to_graphs(opts).unwrap()[0].edge_count(), 2);

        let text = r#"{"graphs": [{"num_nodes": 3, "edges": [[0, 1], [1, 0]]}]}"#;
        let list = GraphList::from_json_str(text).unwrap();
        assert!(matches!(
            list.to_graphs(ValidateOptions::default()),
            Err(GraphIoError::DuplicateEdge {
                graph: 0,
                edge: 1,
                ..
            })
        ));
        assert!(GraphList::from_json_str("{\"graphs\": 3}").is_err());
    }

    #[test]
    fn edge_list_and_tu() {
        let g =
            parse_edge_list("# c\n0 1\n1,2\n\n2 3\n", None, ValidateOptions::default()).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (4, 3));
        assert!(parse_edge_list("0 x\n", None, ValidateOptions::default()).is_err());
        // two graphs: triangle (nodes 1-3) and an edge plus an isolated node (nodes 4-6)
        let a = "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n";
        let ind = "1\n1\n1\n2\n2\n2\n";
        let gs = parse_tu(a, ind).unwrap();
        assert_eq!(gs.len(), 2);
        assert_eq!((gs[0].node_count(), gs[0].edge_count()), (3, 3));
        assert_eq!((gs[1].node_count(), gs[1].edge_count()), (3, 1));
        let cleaned = remove_isolated(&gs[1]);
        assert_eq!((cleaned.node_count(), cleaned.edge_count()), (2, 1));
        assert!(parse_tu("1, 4\n", ind).is_err());
    }
}
