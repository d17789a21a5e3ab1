use std::fmt::Write;

use super::{counts, kind, listed, title, Listing};
use crate::status::{Status, Unit};

/// A flowchart, for small organizations (large OUs are counted, as in text).
pub fn status_mermaid(status: &Status, all: bool) -> String {
    let mut out = String::from("flowchart TD\n");
    let listing = Listing::new(status, all);
    unit(&mut out, &status.root, None, listing);
    for (class, style) in [
        ("in_sync", "fill:#dcfce7,stroke:#16a34a"),
        ("drifted", "fill:#fef9c3,stroke:#ca8a04"),
        ("missing", "fill:#fef9c3,stroke:#ca8a04"),
        ("conflict", "fill:#fee2e2,stroke:#dc2626"),
        ("unreachable", "fill:#fee2e2,stroke:#dc2626"),
        ("other", "fill:#f3f4f6,stroke:#9ca3af"),
    ] {
        let _ = writeln!(out, "  classDef {class} {style}");
    }
    out
}

/// Names as Mermaid shows them in quotes.
fn label(text: &str) -> String {
    text.replace('"', "#quot;")
}

/// Mermaid IDs: letters, digits and `_`.
fn node(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

fn unit(out: &mut String, u: &Unit, parent: Option<&str>, listing: Listing) {
    let id = node(&u.id);
    let (accounts, summarised) = listed(u, listing);
    let summary = if summarised { format!("<br/>{}", counts(u.accounts.iter())) } else { String::new() };
    let _ = writeln!(out, "  {id}[\"{} ({}){summary}\"]", label(&u.name), u.id);
    if let Some(parent) = parent {
        let _ = writeln!(out, "  {parent} --> {id}");
    }
    for a in accounts {
        let class = match kind(&a.coverage) {
            "in sync" => "in_sync",
            k @ ("drifted" | "missing" | "conflict" | "unreachable") => k,
            _ => "other",
        };
        let account = format!("a{}", a.id);
        let _ = writeln!(out, "  {account}[\"{}<br/>{}\"]:::{class}", label(&title(a)), kind(&a.coverage));
        let _ = writeln!(out, "  {id} --> {account}");
    }
    for child in &u.units {
        unit(out, child, Some(&id), listing);
    }
}
