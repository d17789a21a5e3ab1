//! The plan as JSON: a documented, versioned format (docs/plan-json.md).

use serde_json::{json, Value};

use super::prose::{skip_reason, stackset_conflict};
use super::view::{conflict_message, plan_view};
use crate::plan::{Action, Plan};

/// Bumped on any change a consumer could notice; additions bump the minor part.
pub const JSON_FORMAT_VERSION: &str = "1.4";

pub fn plan_json(plan: &Plan) -> Value {
    let view = plan_view(plan);
    let mut changes = vec![];
    let mut drift = vec![];
    for section in &view.accounts {
        for c in &section.changes {
            let change = c.change;
            let a = &change.address;
            changes.push(json!({
                "address": a.to_string(),
                "account": a.account,
                "account_name": section.name,
                "type": a.kind,
                "name": a.name,
                "actions": [action(change.action)],
                "arn": change.arn,
                "before": redacted(serde_json::to_value(&change.before).expect("serializable")),
                "after": redacted(serde_json::to_value(&change.after).expect("serializable")),
                "reasons": change.reasons,
                "drift": change.drift,
                "stack_set": change.stack_set,
                "summary": format!("{} {}", c.marker, c.subject),
                "notes": c.notes,
                "details": c.details.iter().map(|d| format!("{} {}", d.marker, d.text).trim().to_owned()).collect::<Vec<_>>(),
            }));
            if change.drift {
                drift
                    .push(json!({"address": a.to_string(), "account": a.account, "reasons": change.reasons}));
            }
        }
    }
    let s = view.summary;
    json!({
        "format_version": JSON_FORMAT_VERSION,
        "orgrole_version": env!("CARGO_PKG_VERSION"),
        "destroy": plan.destroy,
        "summary": {"add": s.add, "change": s.change, "destroy": s.destroy, "state_only": s.state_only, "text": view.summary_line},
        "resource_changes": changes,
        "drift": drift,
        "conflicts": plan.conflicts.iter().map(|c| json!({"address": c.address.to_string(), "arn": c.arn, "message": conflict_message(c)})).collect::<Vec<_>>(),
        "stackset": view.stackset.as_ref().map(|s| json!({
            "name": s.plan.name,
            "id": s.plan.id,
            "call_as": s.plan.call_as,
            "steps": s.plan.steps.iter().zip(&s.steps).map(|(step, v)| json!({
                "summary": format!("{} {}", v.marker, v.subject),
                "step": redacted(serde_json::to_value(&step.action).expect("serializable")),
                "reasons": step.reasons,
                "accounts": step.accounts,
            })).collect::<Vec<_>>(),
            "instances": s.plan.instances,
            "running_operation": s.plan.running,
            "trusted_access": s.plan.trusted_access,
            "notes": s.notes,
            "conflict": s.plan.conflict.as_ref().map(|c| stackset_conflict(&s.plan.name, c)),
        })),
        "kept": plan.kept.iter().zip(&view.kept).map(|(k, (_, lines))| json!({
            "address": k.address.to_string(),
            "account": k.address.account,
            "other": k.other,
            "details": lines,
        })).collect::<Vec<_>>(),
        "skipped": plan.skipped.iter().map(|s| json!({"account": s.account, "name": s.name, "reason": skip_reason(&s.reason)})).collect::<Vec<_>>(),
        "unreachable": plan.unreachable.iter().map(|u| json!({"account": u.account, "error": u.error.to_string()})).collect::<Vec<_>>(),
    })
}

fn action(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::Replace => "replace",
        Action::Record => "record",
        Action::Forget => "forget",
    }
}

/// The external ID stays out of rendered plans, as in the text.
fn redacted(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                // In trust documents, and as the stack set's parameter.
                *v = if k == "sts:ExternalId" || k == crate::stackset::EXTERNAL_ID_PARAMETER {
                    json!("(sensitive)")
                } else if k == "template_body" {
                    // The vendor's template has the external ID written in, wherever it put it.
                    json!(format!("({} bytes, not shown)", v.as_str().map_or(0, str::len)))
                } else {
                    redacted(v.take())
                };
            }
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                *v = redacted(v.take());
            }
        }
        _ => {}
    }
    value
}
