//! The IAM calls behind each kind of change.

use super::retry::until_visible;
use crate::cloud::{CloudError, ErrorKind, Iam};
use crate::model::{OtherPolicies, ResourceKind, Tags};
use crate::observe::read_policy;
use crate::plan::{fingerprint, tag_changes, Action, Change, ResourceValue};
use crate::state::StateResource;

/// IAM keeps at most five versions of a managed policy.
const MAX_POLICY_VERSIONS: usize = 5;

pub enum StateEffect {
    Upsert(StateResource),
    Remove,
    /// A stack's resource, put back as its template declares: CloudFormation's, not in state.
    None,
}

pub async fn execute<I: Iam>(iam: &I, change: &Change) -> Result<StateEffect, CloudError> {
    let effect = make(iam, change).await?;
    Ok(if change.stack_set.is_some() { StateEffect::None } else { effect })
}

async fn make<I: Iam>(iam: &I, change: &Change) -> Result<StateEffect, CloudError> {
    let a = &change.address;
    let applied = Some(fingerprint(change.after.as_ref()));
    let record = |arn: String| {
        StateEffect::Upsert(StateResource { address: a.clone(), arn, applied: applied.clone() })
    };
    match (change.action, change.after.as_ref()) {
        (Action::Record, _) => Ok(record(change.arn.clone())),
        (Action::Forget, _) => Ok(StateEffect::Remove),
        (Action::Delete, _) => {
            match a.kind {
                ResourceKind::Attachment => gone_is_fine(iam.detach_role_policy(&a.name, &change.arn).await)?,
                ResourceKind::Policy => delete_policy(iam, &change.arn).await?,
                ResourceKind::Role => delete_role(iam, &a.name).await?,
            }
            Ok(StateEffect::Remove)
        }
        (Action::Create, Some(after @ ResourceValue::Policy { document, tags })) => {
            let created = iam.create_policy(&a.name, document, tags).await;
            Ok(record(already_made(iam, change, after, created).await?))
        }
        (Action::Create, Some(after @ ResourceValue::Role { .. })) => {
            Ok(record(create_role(iam, change, after).await?))
        }
        // IAM fixes a role's path at creation; its name is unique whatever the
        // path, so the old role goes first, whole. What `other-policies "keep"`
        // keeps goes on the new one (orgrole's own policy is the attachment's change).
        (Action::Replace, Some(after @ ResourceValue::Role { other, .. })) => {
            delete_role(iam, &a.name).await?;
            let arn = create_role(iam, change, after).await?;
            for policy in &other.managed {
                until_visible(|| iam.attach_role_policy(&a.name, policy)).await?;
            }
            for (name, document) in &other.inline {
                until_visible(|| iam.put_inline_role_policy(&a.name, name, document)).await?;
            }
            Ok(record(arn))
        }
        (Action::Create, Some(ResourceValue::Attachment { role, policy_arn })) => {
            // A role or policy created a moment ago may not be visible yet.
            until_visible(|| iam.attach_role_policy(role, policy_arn)).await?;
            Ok(record(policy_arn.clone()))
        }
        (Action::Update, Some(ResourceValue::Policy { document, tags })) => {
            let Some(ResourceValue::Policy { document: before, tags: before_tags }) = &change.before else {
                return Err(no_value(change));
            };
            if before != document {
                prune_policy_versions(iam, &change.arn).await?;
                iam.create_policy_version(&change.arn, document).await?;
            }
            retag(iam, ResourceKind::Policy, &change.arn, before_tags, tags).await?;
            Ok(record(change.arn.clone()))
        }
        (Action::Update, Some(ResourceValue::Role { trust, tags, other, settings })) => {
            let Some(ResourceValue::Role {
                trust: before,
                tags: before_tags,
                other: before_other,
                settings: before_settings,
            }) = &change.before
            else {
                return Err(no_value(change));
            };
            // What grants beyond the configuration goes first, then the trust.
            remove_other_policies(iam, &a.name, before_other, other).await?;
            set_boundary(iam, &a.name, before_other.boundary.as_deref(), other.boundary.as_deref()).await?;
            if before != trust {
                iam.update_trust(&a.name, trust).await?;
            }
            if (&before_settings.description, before_settings.max_session_duration)
                != (&settings.description, settings.max_session_duration)
            {
                iam.update_role(&a.name, settings.description.as_deref(), settings.max_session_duration)
                    .await?;
            }
            retag(iam, ResourceKind::Role, &a.name, before_tags, tags).await?;
            Ok(record(change.arn.clone()))
        }
        _ => Err(no_value(change)),
    }
}

/// CreateRole with everything at once: an organization's rules may refuse
/// a role made without its boundary, even for a moment.
async fn create_role<I: Iam>(iam: &I, change: &Change, after: &ResourceValue) -> Result<String, CloudError> {
    let ResourceValue::Role { trust, tags, other, settings } = after else { return Err(no_value(change)) };
    let created =
        iam.create_role(&change.address.name, trust, tags, settings, other.boundary.as_deref()).await;
    already_made(iam, change, after, created).await
}

/// A create whose answer was lost (a 5xx or a dropped connection after AWS
/// made the resource) is retried by the SDK and then meets EntityAlreadyExists.
/// What exists is the lost create's result when it is exactly the planned
/// resource, orgrole's tag included; anything else stays a conflict.
async fn already_made<I: Iam>(
    iam: &I,
    change: &Change,
    after: &ResourceValue,
    created: Result<String, CloudError>,
) -> Result<String, CloudError> {
    let conflict = match created {
        Err(e) if e.kind == ErrorKind::AlreadyExists => e,
        other => return other,
    };
    let existing = match after {
        ResourceValue::Policy { .. } => read_policy(iam, &change.arn)
            .await?
            .map(|p| (ResourceValue::Policy { document: p.document, tags: p.info.tags }, p.info.arn)),
        // A role is made bare but for its boundary: what it keeps is put on after.
        ResourceValue::Role { other: wanted, .. } => iam.get_role(&change.address.name).await?.map(|r| {
            let other = OtherPolicies { boundary: r.boundary, ..wanted.clone() };
            (ResourceValue::Role { trust: r.trust, tags: r.tags, other, settings: r.settings }, r.arn)
        }),
        ResourceValue::Attachment { .. } => None,
    };
    match existing {
        Some((value, arn)) if &value == after => Ok(arn),
        _ => Err(conflict),
    }
}

fn no_value(change: &Change) -> CloudError {
    let message = format!("cannot {:?} {}: the plan holds no value for it", change.action, change.address);
    CloudError::from_code("orgrole", None, message)
}

/// Sets the tags that differ and removes those no longer wanted, on a
/// policy (by ARN) or a role (by name).
async fn retag<I: Iam>(
    iam: &I,
    kind: ResourceKind,
    id: &str,
    before: &Tags,
    after: &Tags,
) -> Result<(), CloudError> {
    let (set, removed) = tag_changes(before, after);
    let is_policy = kind == ResourceKind::Policy;
    if !set.is_empty() {
        if is_policy {
            iam.tag_policy(id, &set).await?
        } else {
            iam.tag_role(id, &set).await?
        }
    }
    if !removed.is_empty() {
        if is_policy {
            iam.untag_policy(id, &removed).await?
        } else {
            iam.untag_role(id, &removed).await?
        }
    }
    Ok(())
}

/// Takes off the role the inline policies and managed policies found that
/// are not wanted. The managed policies are only detached: they are not
/// orgrole's to delete.
async fn remove_other_policies<I: Iam>(
    iam: &I,
    role: &str,
    found: &OtherPolicies,
    wanted: &OtherPolicies,
) -> Result<(), CloudError> {
    for (name, document) in &found.inline {
        if wanted.inline.get(name) != Some(document) {
            gone_is_fine(iam.delete_inline_role_policy(role, name).await)?;
        }
    }
    for arn in found.managed.difference(&wanted.managed) {
        gone_is_fine(iam.detach_role_policy(role, arn).await)?;
    }
    Ok(())
}

/// The wanted permissions boundary on the role, or none.
async fn set_boundary<I: Iam>(
    iam: &I,
    role: &str,
    found: Option<&str>,
    wanted: Option<&str>,
) -> Result<(), CloudError> {
    match wanted {
        _ if found == wanted => Ok(()),
        Some(arn) => iam.put_role_permissions_boundary(role, arn).await,
        None => gone_is_fine(iam.delete_role_permissions_boundary(role).await),
    }
}

/// Deleting what is already gone is done.
fn gone_is_fine(result: Result<(), CloudError>) -> Result<(), CloudError> {
    match result {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Makes room for one more version: at the limit, the oldest non-default
/// version goes.
async fn prune_policy_versions<I: Iam>(iam: &I, arn: &str) -> Result<(), CloudError> {
    let versions = iam.policy_versions(arn).await?;
    if versions.len() < MAX_POLICY_VERSIONS {
        return Ok(());
    }
    if let Some(oldest) = versions.iter().filter(|v| !v.is_default).min_by_key(|v| (v.created, v.id.clone()))
    {
        iam.delete_policy_version(arn, &oldest.id).await?;
    }
    Ok(())
}

/// DeletePolicy needs the non-default versions gone (and the policy detached,
/// which the attachment's own delete did before).
async fn delete_policy<I: Iam>(iam: &I, arn: &str) -> Result<(), CloudError> {
    let versions = match iam.policy_versions(arn).await {
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
        other => other?,
    };
    for v in versions.iter().filter(|v| !v.is_default) {
        gone_is_fine(iam.delete_policy_version(arn, &v.id).await)?;
    }
    gone_is_fine(iam.delete_policy(arn).await)
}

/// DeleteRole needs every policy off the role, including ones attached by
/// hand: the role is orgrole's, and goes whole.
async fn delete_role<I: Iam>(iam: &I, name: &str) -> Result<(), CloudError> {
    let attached = match iam.attached_role_policies(name).await {
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
        other => other?,
    };
    for arn in &attached {
        gone_is_fine(iam.detach_role_policy(name, arn).await)?;
    }
    for policy in iam.inline_role_policies(name).await? {
        gone_is_fine(iam.delete_inline_role_policy(name, &policy).await)?;
    }
    gone_is_fine(iam.delete_role(name).await)
}
