//! The pieces every view writes its lines with: a change's marker, a detail
//! line, a counted noun.

use crate::plan::Action;

/// One line under a change: `+ action s3:GetObject`, `~ external ID (value hidden)`.
pub struct Detail {
    /// `+`, `-`, `~`, or `` for plain information.
    pub marker: &'static str,
    pub text: String,
}

/// `1 action`, `66 actions`.
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

pub fn marker(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::Replace => "-/+",
        Action::Record | Action::Forget => "=",
    }
}

/// Rows under a header, each column as wide as its widest cell; in
/// Markdown, a table.
pub fn table(rows: &[[String; 4]], markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        for (i, row) in rows.iter().enumerate() {
            out += &format!("| {} |\n", row.join(" | "));
            if i == 0 {
                out += "|---|---|---|---|\n";
            }
        }
        return out;
    }
    let width = |col: usize| rows.iter().map(|r| r[col].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for row in rows {
        out += format!("{:w0$}  {:w1$}  {:w2$}  {}", row[0], row[1], row[2], row[3]).trim_end();
        out.push('\n');
    }
    out
}
