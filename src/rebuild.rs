//! A lost state rebuilt from the accounts: everything orgrole creates
//! carries its tag, so the tagged roles, policies and attachments of the
//! configured names in the target accounts are orgrole's.

use crate::config::Desired;
use crate::model::{Address, ResourceKind};
use crate::observe::{AccountView, Observed};
use crate::plan::{fingerprint, found};
use crate::state::{State, StateResource};

/// A new state (new lineage) with what was found in the direct targets (a
/// stack set's accounts, also read, hold what its stacks made: tagged too,
/// but CloudFormation's).
pub fn rebuild(desired: &Desired, observed: &Observed) -> State {
    let mut state = State::new();
    let (role, policy) = (&desired.role.name, &desired.role.policy_name);
    for account in observed.resolution.targets.keys() {
        let Some(AccountView::Read(resources)) = observed.accounts.get(account) else { continue };
        let addresses = [
            Address::policy(account, policy),
            Address::role(account, role),
            Address::attachment(account, role, policy),
        ];
        let policy_arn = found(&addresses[0], "", resources).map(|f| f.arn).unwrap_or_default();
        let role_owned = found(&addresses[1], "", resources).is_some_and(|f| f.owned);
        for address in addresses {
            let Some(live) = found(&address, &policy_arn, resources) else { continue };
            // An attachment is orgrole's when its role is.
            let owned = if address.kind == ResourceKind::Attachment { role_owned } else { live.owned };
            if owned {
                let applied = Some(fingerprint(Some(&live.value)));
                state.upsert(StateResource { address, arn: live.arn, applied });
            }
        }
    }
    state
}
