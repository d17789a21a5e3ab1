//! The plan's dependency graph as Graphviz DOT or a Mermaid flowchart.

use std::fmt::Write;

use super::view::marker;
use crate::graph::ChangeGraph;
use crate::plan::Plan;

pub fn graph_dot(plan: &Plan) -> String {
    let graph = ChangeGraph::new(&plan.changes);
    let mut out = String::from("digraph orgrole {\n  rankdir=LR;\n  node [shape=box];\n");
    for (i, c) in plan.changes.iter().enumerate() {
        let _ = writeln!(out, "  c{i} [label=\"{} {}\"];", marker(c.action), c.address);
    }
    for i in 0..plan.changes.len() {
        for j in graph.dependents(i) {
            let _ = writeln!(out, "  c{i} -> c{j};");
        }
    }
    out.push_str("}\n");
    out
}

pub fn graph_mermaid(plan: &Plan) -> String {
    let graph = ChangeGraph::new(&plan.changes);
    let mut out = String::from("flowchart LR\n");
    for (i, c) in plan.changes.iter().enumerate() {
        let _ = writeln!(out, "  c{i}[\"{} {}\"]", marker(c.action), c.address);
    }
    for i in 0..plan.changes.len() {
        for j in graph.dependents(i) {
            let _ = writeln!(out, "  c{i} --> c{j}");
        }
    }
    out
}
