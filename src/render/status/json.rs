use serde_json::{json, Value};

use super::{describe, kind};
use crate::status::{AccountStatus, Coverage, Status, Unit, Via};

/// The status JSON's format; additions bump the minor part.
pub const STATUS_FORMAT_VERSION: &str = "1.0";

/// Every account, never summarised.
pub fn status_json(status: &Status) -> Value {
    json!({
        "format_version": STATUS_FORMAT_VERSION,
        "organization": status.organization,
        "in_sync": status.in_sync(),
        "root": unit(&status.root),
        "outside": status.outside.iter().map(account).collect::<Vec<_>>(),
    })
}

fn unit(u: &Unit) -> Value {
    json!({
        "id": u.id,
        "name": u.name,
        "accounts": u.accounts.iter().map(account).collect::<Vec<_>>(),
        "units": u.units.iter().map(unit).collect::<Vec<_>>(),
    })
}

fn account(a: &AccountStatus) -> Value {
    let via = match &a.coverage {
        Coverage::InSync(via) | Coverage::Missing(via) | Coverage::Drifted { via, .. } => Some(via),
        _ => None,
    };
    let changes = match &a.coverage {
        Coverage::Drifted { changes, .. } => changes.iter().map(|c| c.address.to_string()).collect(),
        _ => vec![],
    };
    json!({
        "id": a.id,
        "name": a.name,
        "coverage": kind(&a.coverage),
        "detail": describe(&a.coverage),
        "via": via.map(|v| match v { Via::Direct => "direct", Via::StackSet(_) => "stackset" }),
        "instances": match via {
            Some(Via::StackSet(instances)) => instances.iter().map(|(region, status)| json!({"region": region, "status": status.map(|s| s.as_str())})).collect::<Vec<_>>(),
            _ => vec![],
        },
        "changes": changes,
    })
}
