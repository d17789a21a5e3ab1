use std::collections::BTreeMap;

/// IAM tags, ordered so that plans and state files are stable.
pub type Tags = BTreeMap<String, String>;

/// The tag orgrole puts on everything it creates. A role or policy without it
/// is not orgrole's: orgrole neither changes nor deletes it unless adopted.
pub const MANAGED_BY_KEY: &str = "managed-by";
pub const MANAGED_BY_VALUE: &str = "orgrole";
