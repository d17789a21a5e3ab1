//! The plan's dependency graph as Graphviz DOT or a Mermaid flowchart.

use std::fmt::Write;

use super::lines::marker;
use super::prose::step_description;
use crate::graph::ChangeGraph;
use crate::plan::Plan;

/// How one graph language writes the pieces.
struct Syntax {
    header: &'static str,
    node: fn(&str, &str) -> String,
    edge: fn(&str, &str) -> String,
    footer: &'static str,
}

pub fn graph_dot(plan: &Plan) -> String {
    render(
        plan,
        &Syntax {
            header: "digraph orgrole {\n  rankdir=LR;\n  node [shape=box];\n",
            node: |id, label| format!("  {id} [label=\"{label}\"];"),
            edge: |from, to| format!("  {from} -> {to};"),
            footer: "}\n",
        },
    )
}

pub fn graph_mermaid(plan: &Plan) -> String {
    render(
        plan,
        &Syntax {
            header: "flowchart LR\n",
            node: |id, label| format!("  {id}[\"{label}\"]"),
            edge: |from, to| format!("  {from} --> {to}"),
            footer: "",
        },
    )
}

fn render(plan: &Plan, syntax: &Syntax) -> String {
    let graph = ChangeGraph::new(&plan.changes);
    let mut out = String::from(syntax.header);
    for (i, c) in plan.changes.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}",
            (syntax.node)(&format!("c{i}"), &format!("{} {}", marker(c.action), c.address))
        );
    }
    for from in 0..plan.changes.len() {
        for to in graph.dependents(from) {
            let _ = writeln!(out, "{}", (syntax.edge)(&format!("c{from}"), &format!("c{to}")));
        }
    }
    // The stack set's steps: one operation at a time, each after the one before.
    if let Some(stackset) = &plan.stackset {
        for (i, step) in stackset.steps.iter().enumerate() {
            let label = format!(
                "{} stackset/{}: {}",
                marker(step.action.action()),
                stackset.name,
                step_description(&step.action)
            );
            let _ = writeln!(out, "{}", (syntax.node)(&format!("s{i}"), &label));
            if i > 0 {
                let _ = writeln!(out, "{}", (syntax.edge)(&format!("s{}", i - 1), &format!("s{i}")));
            }
        }
    }
    out.push_str(syntax.footer);
    out
}
