//! GraphML (<http://graphml.graphdrawing.org/>) reading and writing for undirected, unlabelled
//! graphs — the structure subset that networkx's `write_graphml` and most tools produce.
//!
//! One file may hold several `<graph>` elements; each becomes one graph, nodes numbered in
//! document order. `<key>`/`<data>` attributes are skipped; directed graphs (`edgedefault=
//! "directed"` or `directed="true"` on an edge), nested graphs, hyperedges and ports are
//! rejected with a clear error, as are edges naming undeclared nodes, duplicate node ids and
//! unclosed elements. Self loops and repeated edges follow [`ValidateOptions`].

use std::collections::HashMap;
use std::path::Path;

use petgraph::graph::UnGraph;

use super::io::{GraphIoError, GraphRecord, ValidateOptions};

fn perr(line: usize, msg: impl Into<String>) -> GraphIoError {
    GraphIoError::Parse { file: "GraphML".into(), line, msg: msg.into() }
}

/// One XML tag: its name, attributes, whether it closes (`</x>`) or self-closes (`<x/>`).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    closing: bool,
    empty: bool,
    line: usize,
}

impl Tag {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn parse_attrs(body: &str, line: usize) -> Result<Vec<(String, String)>, GraphIoError> {
    let mut attrs = Vec::new();
    let mut rest = body.trim();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| perr(line, format!("malformed attribute in <{body}>")))?;
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let q = after.chars().next().filter(|c| *c == '"' || *c == '\'').ok_or_else(|| perr(line, format!("attribute {key} is not quoted")))?;
        let end = after[1..].find(q).ok_or_else(|| perr(line, format!("unterminated value of attribute {key}")))?;
        attrs.push((key, unescape(&after[1..1 + end])));
        rest = after[end + 2..].trim_start();
    }
    Ok(attrs)
}

/// Splits XML text into tags (text content, comments, the prolog and DOCTYPE are skipped).
fn tags(text: &str) -> Result<Vec<Tag>, GraphIoError> {
    let mut out = Vec::new();
    let mut pos = 0;
    let line_at = |p: usize| text[..p].matches('\n').count() + 1;
    while let Some(off) = text[pos..].find('<') {
        let start = pos + off;
        let rest = &text[start..];
        let (skip_end, is_tag) = if rest.starts_with("<!--") {
            ("-->", false)
        } else if rest.starts_with("<?") {
            ("?>", false)
        } else if rest.starts_with("<!") {
            (">", false)
        } else {
            (">", true)
        };
        let end = rest.find(skip_end).ok_or_else(|| perr(line_at(start), "unterminated tag or comment"))?;
        pos = start + end + skip_end.len();
        if !is_tag {
            continue;
        }
        let inner = &rest[1..end];
        let closing = inner.starts_with('/');
        let empty = inner.ends_with('/');
        let inner = inner.trim_start_matches('/').trim_end_matches('/').trim();
        let (name, attr_text) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        if name.is_empty() {
            return Err(perr(line_at(start), "empty tag name"));
        }
        let line = line_at(start);
        let name = name.rsplit(':').next().unwrap_or(name).to_string(); // drop a namespace prefix
        out.push(Tag { name, attrs: parse_attrs(attr_text, line)?, closing, empty, line });
    }
    Ok(out)
}

/// Graph being read: node ids in order and edges as index pairs.
#[derive(Default)]
struct Building {
    ids: HashMap<String, usize>,
    edges: Vec<(usize, String, String)>,
    line: usize,
}

fn finish(b: Building, index: usize, opts: ValidateOptions) -> Result<UnGraph<(), ()>, GraphIoError> {
    let mut edges = Vec::with_capacity(b.edges.len());
    for (line, s, t) in &b.edges {
        let id = |v: &str| b.ids.get(v).copied().ok_or_else(|| perr(*line, format!("graph {index}: edge names undeclared node '{v}'")));
        edges.push([id(s)?, id(t)?]);
    }
    GraphRecord { num_nodes: b.ids.len(), edges }.to_graph(index, opts)
}

/// Parses GraphML text into graphs (one per `<graph>` element, in document order).
pub fn parse_graphml(text: &str, opts: ValidateOptions) -> Result<Vec<UnGraph<(), ()>>, GraphIoError> {
    let tags = tags(text)?;
    if !tags.iter().any(|t| t.name == "graphml" && !t.closing) {
        return Err(perr(1, "no <graphml> root element"));
    }
    let mut graphs = Vec::new();
    let mut current: Option<Building> = None;
    for t in tags {
        match (t.name.as_str(), t.closing, &mut current) {
            ("graph", false, Some(_)) => return Err(perr(t.line, "nested graphs are not supported")),
            ("graph", false, None) => {
                if t.attr("edgedefault") == Some("directed") {
                    return Err(perr(t.line, "directed graphs are not supported (edgedefault=\"directed\")"));
                }
                let b = Building { line: t.line, ..Building::default() };
                if t.empty {
                    graphs.push(finish(b, graphs.len(), opts)?);
                } else {
                    current = Some(b);
                }
            }
            ("graph", true, cur) => {
                let b = cur.take().ok_or_else(|| perr(t.line, "</graph> without <graph>"))?;
                graphs.push(finish(b, graphs.len(), opts)?);
            }
            ("node", false, Some(b)) => {
                let id = t.attr("id").ok_or_else(|| perr(t.line, "<node> without id"))?.to_string();
                let next = b.ids.len();
                if b.ids.insert(id.clone(), next).is_some() {
                    return Err(perr(t.line, format!("duplicate node id '{id}'")));
                }
            }
            ("edge", false, Some(b)) => {
                if t.attr("directed") == Some("true") {
                    return Err(perr(t.line, "directed edges are not supported"));
                }
                let get = |k: &str| t.attr(k).map(str::to_string).ok_or_else(|| perr(t.line, format!("<edge> without {k}")));
                b.edges.push((t.line, get("source")?, get("target")?));
            }
            ("node" | "edge", false, None) => return Err(perr(t.line, format!("<{}> outside a <graph>", t.name))),
            ("hyperedge" | "port", false, _) => return Err(perr(t.line, format!("<{}> is not supported", t.name))),
            _ => {}
        }
    }
    if let Some(b) = current {
        return Err(perr(b.line, "<graph> is never closed"));
    }
    Ok(graphs)
}

/// Reads a GraphML file (see [`parse_graphml`]).
pub fn read_graphml(path: impl AsRef<Path>, opts: ValidateOptions) -> Result<Vec<UnGraph<(), ()>>, GraphIoError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| GraphIoError::Io { path: path.display().to_string(), source })?;
    parse_graphml(&text, opts).map_err(|e| match e {
        GraphIoError::Parse { line, msg, .. } => GraphIoError::Parse { file: path.display().to_string(), line, msg },
        e => e,
    })
}

/// GraphML text of `graphs`: one undirected `<graph id="g{k}">` each, nodes `n0, n1, …`.
pub fn to_graphml_string(graphs: &[UnGraph<(), ()>]) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    for (k, g) in graphs.iter().enumerate() {
        s += &format!("  <graph id=\"{}\" edgedefault=\"undirected\">\n", escape(&format!("g{k}")));
        for v in g.node_indices() {
            s += &format!("    <node id=\"n{}\"/>\n", v.index());
        }
        for e in g.edge_indices() {
            let (a, b) = g.edge_endpoints(e).expect("edge of the graph");
            s += &format!("    <edge source=\"n{}\" target=\"n{}\"/>\n", a.index(), b.index());
        }
        s += "  </graph>\n";
    }
    s + "</graphml>\n"
}

/// Writes `graphs` as GraphML.
pub fn write_graphml(path: impl AsRef<Path>, graphs: &[UnGraph<(), ()>]) -> Result<(), GraphIoError> {
    let path = path.as_ref();
    std::fs::write(path, to_graphml_string(graphs)).map_err(|source| GraphIoError::Io { path: path.display().to_string(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(g: &UnGraph<(), ()>) -> Vec<(usize, usize)> {
        let mut e: Vec<_> = g.edge_indices().map(|e| g.edge_endpoints(e).unwrap()).map(|(a, b)| (a.index().min(b.index()), a.index().max(b.index()))).collect();
        e.sort();
        e
    }

    #[test]
    fn round_trip_preserves_nodes_and_edges() {
        let gs = vec![
            UnGraph::<(), ()>::from_edges([(0u32, 1u32), (1, 2), (2, 0), (2, 3)]),
            UnGraph::<(), ()>::from_edges([(0u32, 4u32)]), // nodes 1..3 isolated
            UnGraph::<(), ()>::default(),
        ];
        let back = parse_graphml(&to_graphml_string(&gs), ValidateOptions::default()).unwrap();
        assert_eq!(back.len(), 3);
        for (a, b) in gs.iter().zip(&back) {
            assert_eq!(a.node_count(), b.node_count());
            assert_eq!(edges(a), edges(b));
        }
    }

    #[test]
    fn reads_networkx_style_files() {
        let text = r#"<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <key id="d0" for="node" attr.name="label" attr.type="string"/>
  <!-- a comment with <tags> inside -->
  <graph edgedefault="undirected">
    <node id="a"><data key="d0">x &amp; y</data></node>
    <node id="b"/>
    <node id="c"/>
    <edge source="a" target="b"/>
    <edge source='c' target='b'></edge>
  </graph>
</graphml>"#;
        let g = parse_graphml(text, ValidateOptions::default()).unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].node_count(), 3);
        assert_eq!(edges(&g[0]), vec![(0, 1), (1, 2)]);
    }

    #[test]
    fn malformed_input_is_a_clear_error() {
        let cases = [
            ("<graph><node id=\"a\"/></graph>", "no <graphml>"),
            ("<graphml><graph><node id=\"a\"/><edge source=\"a\" target=\"z\"/></graph></graphml>", "undeclared node 'z'"),
            ("<graphml><graph edgedefault=\"directed\"></graph></graphml>", "directed"),
            ("<graphml><graph><node id=\"a\"/>\n<node id=\"a\"/></graph></graphml>", "duplicate node id 'a'"),
            ("<graphml><graph><node id=\"a\"/></graphml>", "never closed"),
            ("<graphml><graph><node id=a/></graph></graphml>", "not quoted"),
            ("<graphml><graph><edge source=\"a\"/></graph></graphml>", "without target"),
            ("<graphml><graph><node id=\"a\"", "unterminated"),
        ];
        for (text, want) in cases {
            let err = parse_graphml(text, ValidateOptions::default()).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: error '{err}' lacks '{want}'");
        }
        let dup = "<graphml><graph><node id=\"a\"/><node id=\"b\"/><edge source=\"a\" target=\"b\"/><edge source=\"b\" target=\"a\"/></graph></graphml>";
        assert!(parse_graphml(dup, ValidateOptions::default()).unwrap_err().to_string().contains("duplicate"));
    }
}
