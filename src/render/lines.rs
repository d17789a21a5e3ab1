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
        Action::Record | Action::Forget => "=",
    }
}
