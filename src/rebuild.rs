//! A lost state rebuilt from the accounts: everything orgrole creates
//! carries its tag, so the tagged roles, policies and attachments of the
//! configured names in the target accounts are orgrole's.

use crate::config::Desired;
use crate::model::Address;
use crate::observe::{AccountView, Observed};
use crate::plan::{fingerprint, found};
use crate::state::{State, StateResource};

/// A new state (new lineage) with what was found.
pub fn rebuild(desired: &Desired, observed: &Observed) -> State {
    let mut state = State::new();
    let (role, policy) = (&desired.role.name, &desired.role.policy_name);
    for (account, view) in &observed.accounts {
        let AccountView::Read(resources) = view else { continue };
        let policy_arn = resources.policies.get(policy).map(|p| p.info.arn.clone()).unwrap_or_default();
        let role_found = found(&Address::role(account, role), "", resources).filter(|f| f.owned);
        let candidates = [
            (
                Address::policy(account, policy),
                found(&Address::policy(account, policy), "", resources).filter(|f| f.owned),
            ),
            // An attachment is orgrole's when its role is.
            (
                Address::attachment(account, role, policy),
                role_found.as_ref().and(found(
                    &Address::attachment(account, role, policy),
                    &policy_arn,
                    resources,
                )),
            ),
            (Address::role(account, role), role_found),
        ];
        for (address, live) in candidates {
            if let Some(live) = live {
                state.upsert(StateResource {
                    address,
                    arn: live.arn,
                    applied: Some(fingerprint(Some(&live.value))),
                });
            }
        }
    }
    state
}
