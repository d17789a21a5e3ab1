use super::StackSetRecord;
use crate::model::{Address, ResourceKind};

/// What orgrole manages, in memory; written as the state file's format
/// (`state::format`).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Set once when the state is born: a saved plan or another copy of a
    /// different lineage describes other resources.
    pub lineage: String,
    /// Grows by one with every write.
    pub serial: u64,
    pub orgrole_version: String,
    /// Sorted by address, unique. Addresses and ARNs only: never credentials.
    resources: Vec<StateResource>,
    /// StackSet mode: the stack sets orgrole made, by name.
    stacksets: Vec<StackSetRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateResource {
    pub address: Address,
    /// The policy's or role's ARN; for an attachment, the attached policy's.
    pub arn: String,
    /// The fingerprint of the value orgrole applied: a live value that
    /// differs from it is drift.
    pub applied: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    pub fn new() -> Self {
        Self {
            lineage: uuid::Uuid::new_v4().to_string(),
            serial: 0,
            orgrole_version: env!("CARGO_PKG_VERSION").into(),
            resources: vec![],
            stacksets: vec![],
        }
    }

    pub fn resources(&self) -> &[StateResource] {
        &self.resources
    }

    pub fn get(&self, address: &Address) -> Option<&StateResource> {
        self.find(address).ok().map(|i| &self.resources[i])
    }

    /// The attachment recorded for the role at `role` (its policy's ARN is
    /// the record's), found by the order addresses sort in.
    pub fn attachment_of(&self, role: &Address) -> Option<&StateResource> {
        let first = Address { kind: ResourceKind::Attachment, target: None, ..role.clone() };
        let at = self.resources.partition_point(|r| r.address < first);
        self.resources.get(at).filter(|r| {
            r.address.kind == ResourceKind::Attachment
                && r.address.account == role.account
                && r.address.name == role.name
        })
    }

    pub fn upsert(&mut self, resource: StateResource) {
        match self.find(&resource.address) {
            Ok(i) => self.resources[i] = resource,
            Err(i) => self.resources.insert(i, resource),
        }
    }

    pub fn remove(&mut self, address: &Address) -> Option<StateResource> {
        self.find(address).ok().map(|i| self.resources.remove(i))
    }

    pub fn stacksets(&self) -> &[StackSetRecord] {
        &self.stacksets
    }

    pub fn stackset(&self, name: &str) -> Option<&StackSetRecord> {
        self.stacksets.iter().find(|s| s.name == name)
    }

    /// The stack set whose operation an earlier run started and did not see end.
    pub fn pending_stackset(&self) -> Option<&StackSetRecord> {
        self.stacksets.iter().find(|s| s.pending.is_some())
    }

    pub fn set_stackset(&mut self, record: StackSetRecord) {
        match self.stacksets.iter_mut().find(|s| s.name == record.name) {
            Some(existing) => *existing = record,
            None => self.stacksets.push(record),
        }
    }

    pub fn remove_stackset(&mut self, name: &str) {
        self.stacksets.retain(|s| s.name != name);
    }

    /// Nothing recorded at all.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.stacksets.is_empty()
    }

    fn find(&self, address: &Address) -> Result<usize, usize> {
        self.resources.binary_search_by(|r| r.address.cmp(address))
    }

    /// A state as read from a file, which someone may have edited: the
    /// resources sorted by address and unique again.
    pub(super) fn restored(
        lineage: String,
        serial: u64,
        orgrole_version: String,
        mut resources: Vec<StateResource>,
        stacksets: Vec<StackSetRecord>,
    ) -> Self {
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        resources.dedup_by(|a, b| a.address == b.address);
        Self { lineage, serial, orgrole_version, resources, stacksets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountId;

    #[test]
    fn keeps_resources_sorted_and_unique() {
        let id = AccountId::parse("111111111111").unwrap();
        let mut s = State::new();
        s.upsert(StateResource { address: Address::role(&id, "r"), arn: "1".into(), applied: None });
        s.upsert(StateResource { address: Address::policy(&id, "p"), arn: "2".into(), applied: None });
        s.upsert(StateResource { address: Address::role(&id, "r"), arn: "3".into(), applied: None });
        assert_eq!(s.resources().iter().map(|r| r.arn.as_str()).collect::<Vec<_>>(), ["2", "3"]);
        assert_eq!(s.remove(&Address::policy(&id, "p")).unwrap().arn, "2");
        let attachment = |role: &str, policy: &str| StateResource {
            address: Address::attachment(&id, role, policy),
            arn: policy.into(),
            applied: None,
        };
        s.upsert(attachment("q", "x"));
        s.upsert(attachment("r", "p2"));
        s.upsert(attachment("s", "y"));
        assert_eq!(s.attachment_of(&Address::role(&id, "r")).map(|a| a.arn.as_str()), Some("p2"));
        assert!(s.attachment_of(&Address::role(&id, "t")).is_none());
        assert!(s.get(&Address::policy(&id, "p")).is_none());
    }
}
