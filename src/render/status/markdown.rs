use std::fmt::Write;

use super::{below, counts, describe, listed, marker, title, Listing};
use crate::status::{Status, Unit};

/// Each OU a collapsible block, open at the root.
pub fn status_markdown(status: &Status, all: bool) -> String {
    let mut out =
        format!("## orgrole status: {}\n\n**{}**\n\n", status.organization, counts(status.accounts()));
    let listing = Listing::new(status, all);
    unit(&mut out, &status.root, true, listing);
    if !status.outside.is_empty() {
        out.push_str("### Outside the organization\n\n");
        for a in &status.outside {
            let _ = writeln!(out, "- {} `{}`: {}", marker(&a.coverage), title(a), describe(&a.coverage));
        }
        out.push('\n');
    }
    out
}

fn unit(out: &mut String, u: &Unit, open: bool, listing: Listing) {
    let everyone = below(u);
    let _ = writeln!(
        out,
        "<details{}><summary>{} (<code>{}</code>): {}</summary>\n",
        if open { " open" } else { "" },
        u.name,
        u.id,
        counts(everyone.into_iter())
    );
    let (accounts, summarised) = listed(u, listing);
    if summarised {
        let _ = writeln!(
            out,
            "{} accounts directly in it: {}; those to look at:\n",
            u.accounts.len(),
            counts(u.accounts.iter())
        );
    }
    for a in &accounts {
        let _ = writeln!(out, "- {} `{}`: {}", marker(&a.coverage), title(a), describe(&a.coverage));
    }
    if !accounts.is_empty() {
        out.push('\n');
    }
    for child in &u.units {
        unit(out, child, false, listing);
    }
    out.push_str("</details>\n\n");
}
