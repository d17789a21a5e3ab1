//! The dependency graph of a plan's changes: a policy and a role before the
//! attachment that joins them; when deleting, the attachment before either.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use crate::model::{Address, ResourceKind};
use crate::plan::{Action, Change};

/// Nodes are indexes into the plan's changes; an edge `a → b` means `b`
/// waits for `a`.
pub struct ChangeGraph {
    graph: DiGraph<usize, ()>,
}

impl ChangeGraph {
    pub fn new(changes: &[Change]) -> Self {
        let mut graph = DiGraph::with_capacity(changes.len(), changes.len());
        let nodes: Vec<NodeIndex> = (0..changes.len()).map(|i| graph.add_node(i)).collect();
        let by_address: HashMap<&Address, usize> =
            changes.iter().enumerate().map(|(i, c)| (&c.address, i)).collect();
        for (i, change) in changes.iter().enumerate() {
            let a = &change.address;
            if a.kind != ResourceKind::Attachment {
                continue;
            }
            let policy = a.target.as_deref().unwrap_or_default();
            let ends = [Address::role(&a.account, &a.name), Address::policy(&a.account, policy)];
            for &end in ends.iter().filter_map(|e| by_address.get(e)) {
                let removing = change.action == Action::Delete;
                let edge = match changes[end].action {
                    // detach, then delete the role or policy
                    Action::Delete if removing => Some((i, end)),
                    // create, update or replace the role and policy, then attach
                    Action::Create | Action::Update | Action::Replace
                        if !removing && change.action != Action::Record =>
                    {
                        Some((end, i))
                    }
                    _ => None,
                };
                if let Some((from, to)) = edge {
                    graph.add_edge(nodes[from], nodes[to], ());
                }
            }
        }
        Self { graph }
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// How many changes `change` waits for.
    pub fn dependencies(&self, change: usize) -> usize {
        self.graph.neighbors_directed(NodeIndex::new(change), Direction::Incoming).count()
    }

    /// The changes that wait for `change`.
    pub fn dependents(&self, change: usize) -> impl Iterator<Item = usize> + '_ {
        self.graph.neighbors_directed(NodeIndex::new(change), Direction::Outgoing).map(|n| self.graph[n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountId;

    fn change(address: Address, action: Action) -> Change {
        Change {
            address,
            action,
            arn: String::new(),
            before: None,
            after: None,
            reasons: vec![],
            drift: false,
            stack_set: None,
        }
    }

    #[test]
    fn attach_waits_for_policy_and_role_and_deletes_wait_for_detach() {
        let id = AccountId::parse("111111111111").unwrap();
        let changes = vec![
            change(Address::policy(&id, "p"), Action::Create),
            change(Address::role(&id, "r"), Action::Update),
            change(Address::attachment(&id, "r", "p"), Action::Create),
            change(Address::attachment(&id, "old", "p"), Action::Delete),
            change(Address::role(&id, "old"), Action::Delete),
        ];
        let g = ChangeGraph::new(&changes);
        assert_eq!(g.dependencies(2), 2);
        assert_eq!(g.dependents(0).collect::<Vec<_>>(), [2]);
        assert_eq!(g.dependencies(4), 1);
        assert_eq!(g.dependents(3).collect::<Vec<_>>(), [4]);
        assert_eq!(g.dependencies(0), 0);
    }
}
