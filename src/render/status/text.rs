use std::fmt::Write;

use super::{counts, describe, listed, marker, title, Listing};
use crate::render::Paint;
use crate::status::{Coverage, Status, Unit};

pub fn status_text(status: &Status, all: bool, paint: Paint) -> String {
    let mut out = format!("Organization {}\n\n", status.organization);
    let listing = Listing::new(status, all);
    unit(&mut out, &status.root, 0, listing, paint);
    if !status.outside.is_empty() {
        out.push_str("\nOutside the organization:\n");
        for a in &status.outside {
            let _ = writeln!(out, "  {} {}: {}", color(paint, &a.coverage), title(a), describe(&a.coverage));
        }
    }
    let _ = writeln!(out, "\n{}.", counts(status.accounts()));
    out
}

fn unit(out: &mut String, u: &Unit, depth: usize, listing: Listing, paint: Paint) {
    let pad = "  ".repeat(depth);
    let (accounts, summarised) = listed(u, listing);
    let summary = if summarised {
        format!(": {} accounts: {}", u.accounts.len(), counts(u.accounts.iter()))
    } else {
        String::new()
    };
    let _ = writeln!(out, "{pad}{}{summary}", paint.bold(&format!("{} ({})", u.name, u.id)));
    for a in accounts {
        let _ = writeln!(out, "{pad}  {} {}: {}", color(paint, &a.coverage), title(a), describe(&a.coverage));
    }
    for child in &u.units {
        unit(out, child, depth + 1, listing, paint);
    }
}

fn color(paint: Paint, c: &Coverage) -> String {
    let m = marker(c);
    match c {
        Coverage::InSync(_) => paint.green(m),
        Coverage::Drifted { .. } | Coverage::Missing(_) => paint.yellow(m),
        Coverage::Conflict | Coverage::Unreachable(_) => paint.red(m),
        Coverage::Skipped(_) | Coverage::NotTargeted => paint.dim(m),
    }
}
