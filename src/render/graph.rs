//! The plan's dependency graph as Graphviz DOT or a Mermaid flowchart.

use std::fmt::Write;

use super::view::marker;
use crate::graph::ChangeGraph;
use crate::plan::Plan;

/// How one graph language writes the pieces.
struct Syntax {
    header: &'static str,
    node: fn(usize, &str) -> String,
    edge: fn(usize, usize) -> String,
    footer: &'static str,
}

pub fn graph_dot(plan: &Plan) -> String {
    render(
        plan,
        &Syntax {
            header: "digraph orgrole {\n  rankdir=LR;\n  node [shape=box];\n",
            node: |i, label| format!("  c{i} [label=\"{label}\"];"),
            edge: |from, to| format!("  c{from} -> c{to};"),
            footer: "}\n",
        },
    )
}

pub fn graph_mermaid(plan: &Plan) -> String {
    render(
        plan,
        &Syntax {
            header: "flowchart LR\n",
            node: |i, label| format!("  c{i}[\"{label}\"]"),
            edge: |from, to| format!("  c{from} --> c{to}"),
            footer: "",
        },
    )
}

fn render(plan: &Plan, syntax: &Syntax) -> String {
    let graph = ChangeGraph::new(&plan.changes);
    let mut out = String::from(syntax.header);
    for (i, c) in plan.changes.iter().enumerate() {
        let _ = writeln!(out, "{}", (syntax.node)(i, &format!("{} {}", marker(c.action), c.address)));
    }
    for from in 0..plan.changes.len() {
        for to in graph.dependents(from) {
            let _ = writeln!(out, "{}", (syntax.edge)(from, to));
        }
    }
    out.push_str(syntax.footer);
    out
}
