use aws_config::SdkConfig;
use aws_sdk_organizations::Client;
use futures_util::future::join_all;

use std::sync::Arc;

use super::call;
use super::pace::Pacer;
use super::retries::{CountRetries, ThrottlingIsPaced};
use crate::cloud::{AccountState, CloudError, ErrorKind, OrgAccount, OrgUnit, Organization};
use crate::model::AccountId;

/// Reads the organization: its root, every OU (walked level by level; OUs
/// nest at most five deep) and the accounts in each.
pub async fn read(config: &SdkConfig) -> Result<Option<Organization>, CloudError> {
    let pacer = Arc::new(Pacer::default());
    let client = Client::from_conf(
        aws_sdk_organizations::config::Builder::from(config)
            .interceptor(CountRetries::new(pacer.clone()))
            .retry_classifier(ThrottlingIsPaced)
            .build(),
    );
    let walk = Walk { client, pacer };
    let client = &walk.client;
    const DESCRIBE: &str = "organizations:DescribeOrganization";
    let org =
        match call::send(&walk.pacer, DESCRIBE, &"caller", || client.describe_organization().send()).await {
            Ok(out) => out
                .organization
                .ok_or_else(|| CloudError::from_code(DESCRIBE, None, "no organization in the answer"))?,
            Err(e) => {
                let e = call::error(DESCRIBE, e);
                return if e.kind == ErrorKind::NotFound { Ok(None) } else { Err(e) };
            }
        };
    let management_account = AccountId::parse(org.master_account_id().unwrap_or_default())
        .map_err(|e| CloudError::from_code(DESCRIBE, None, e.to_string()))?;

    const ROOTS: &str = "organizations:ListRoots";
    let pages = call::pages(
        &walk.pacer,
        ROOTS,
        &"caller",
        |token| client.list_roots().set_next_token(token).send(),
        |p| p.next_token(),
    )
    .await?;
    let root = pages
        .iter()
        .flat_map(|p| p.roots())
        .find_map(|r| r.id())
        .ok_or_else(|| CloudError::from_code(ROOTS, None, "the organization has no root"))?
        .to_owned();

    let mut units = Vec::new();
    let mut accounts = Vec::new();
    let mut level = vec![root.clone()];
    while !level.is_empty() {
        let reads = level.iter().map(|parent| read_parent(&walk, parent));
        let mut next = Vec::new();
        for result in join_all(reads).await {
            let (children, members) = result?;
            next.extend(children.iter().map(|u| u.id.clone()));
            units.extend(children);
            accounts.extend(members);
        }
        level = next;
    }
    Ok(Some(Organization {
        id: org.id().unwrap_or_default().to_owned(),
        management_account,
        root,
        units,
        accounts,
    }))
}

/// The organization's client and the caller's Organizations pace.
struct Walk {
    client: Client,
    pacer: Arc<Pacer>,
}

async fn read_parent(walk: &Walk, parent: &str) -> Result<(Vec<OrgUnit>, Vec<OrgAccount>), CloudError> {
    const OUS: &str = "organizations:ListOrganizationalUnitsForParent";
    const ACCOUNTS: &str = "organizations:ListAccountsForParent";
    let client = &walk.client;
    let (ous, accounts) = tokio::join!(
        call::pages(
            &walk.pacer,
            OUS,
            &parent,
            |token| client
                .list_organizational_units_for_parent()
                .parent_id(parent)
                .set_next_token(token)
                .send(),
            |p| p.next_token(),
        ),
        call::pages(
            &walk.pacer,
            ACCOUNTS,
            &parent,
            |token| client.list_accounts_for_parent().parent_id(parent).set_next_token(token).send(),
            |p| p.next_token(),
        ),
    );
    let units = ous?
        .iter()
        .flat_map(|page| page.organizational_units())
        .map(|ou| OrgUnit {
            id: ou.id().unwrap_or_default().to_owned(),
            name: ou.name().unwrap_or_default().to_owned(),
            parent: parent.to_owned(),
        })
        .collect();
    let members = accounts?
        .iter()
        .flat_map(|page| page.accounts())
        .filter_map(|a| {
            // Since September 2025 accounts carry `State`; older answers only `Status`.
            let state = a
                .state()
                .map(|s| s.as_str().to_owned())
                .or_else(|| a.status().map(|s| s.as_str().to_owned()))
                .unwrap_or_default();
            Some(OrgAccount {
                id: AccountId::parse(a.id()?).ok()?,
                name: a.name().unwrap_or_default().to_owned(),
                email: a.email().unwrap_or_default().to_owned(),
                state: AccountState::from_api(&state),
                parent: parent.to_owned(),
                arn: a.arn().unwrap_or_default().to_owned(),
                joined_method: a.joined_method().map(|m| m.as_str().to_owned()).unwrap_or_default(),
                joined: a
                    .joined_timestamp()
                    .and_then(|t| t.fmt(aws_sdk_organizations::primitives::DateTimeFormat::DateTime).ok())
                    .unwrap_or_default(),
            })
        })
        .collect();
    Ok((units, members))
}
