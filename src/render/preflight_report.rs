//! `preflight`'s findings as a table, one row per account.

use std::fmt::Write;

use super::lines::table;
use super::prose::{cloud_error, not_checked};
use crate::preflight::Preflight;
use crate::verify::Permissions;

pub fn preflight_table(checked: &Preflight) -> String {
    let mut rows = vec![["ACCOUNT".to_owned(), "NAME".into(), "ACCESS".into(), "ORGROLE'S CALLS".into()]];
    for a in &checked.accounts {
        let access = match &a.access {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("FAILED: {}", cloud_error(e)),
        };
        let calls = match &a.permissions {
            Permissions::Allowed => "all allowed".to_owned(),
            Permissions::Denied(actions) => format!("DENIED: {}", actions.join(", ")),
            // Why is in the ACCESS column.
            Permissions::NotChecked(_) if a.access.is_err() => "not checked".to_owned(),
            Permissions::NotChecked(why) => format!("not checked ({})", not_checked(why)),
        };
        rows.push([a.account.to_string(), a.name.clone(), access, calls]);
    }
    let mut out = table(&rows, false);
    if let Some(status) = checked.trusted_access {
        let _ = writeln!(
            out,
            "\nCloudFormation's trusted access with AWS Organizations: {} (the plan activates it from the management account when it is off).",
            status.as_str()
        );
    }
    let failed = checked.accounts.iter().filter(|a| !a.ok()).count();
    let _ = writeln!(
        out,
        "\n{} account(s) checked, {failed} that this run cannot change.",
        checked.accounts.len()
    );
    out
}
