use serde::Serialize;

/// A role's own settings besides its policies and tags, as CreateRole takes
/// them. The path is part of the role's ARN and fixed once it is made; the
/// description and session length change in place (UpdateRole). `Default`
/// is what IAM gives a role made without them. Serialized in the plan JSON,
/// each field only when it is not IAM's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSettings {
    #[serde(skip_serializing_if = "is_default_path")]
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Seconds, 3600 to 43200.
    #[serde(skip_serializing_if = "is_default_session")]
    pub max_session_duration: u32,
}

pub const DEFAULT_PATH: &str = "/";
/// The description orgrole gives the roles it makes when none is configured.
pub const ORGROLE_DESCRIPTION: &str =
    "Assumed by the security vendor's AWS API connector (managed by orgrole)";
/// IAM's default session length: one hour.
pub const DEFAULT_MAX_SESSION: u32 = 3600;
/// IAM's longest: twelve hours.
pub const LONGEST_MAX_SESSION: u32 = 43_200;

impl Default for RoleSettings {
    fn default() -> Self {
        Self { path: DEFAULT_PATH.into(), description: None, max_session_duration: DEFAULT_MAX_SESSION }
    }
}

impl RoleSettings {
    /// A role made without any of them.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// What every role orgrole made had before the settings could be
    /// configured: fingerprints leave them out, so that those recorded
    /// then stay valid.
    pub fn made_by_orgrole_before_options(&self) -> bool {
        self.path == DEFAULT_PATH
            && self.description.as_deref() == Some(ORGROLE_DESCRIPTION)
            && self.max_session_duration == DEFAULT_MAX_SESSION
    }

    /// Compact JSON of the settings, for fingerprints.
    pub fn canonical_json(&self) -> String {
        serde_json::json!({
            "description": self.description,
            "max_session_duration": self.max_session_duration,
            "path": self.path,
        })
        .to_string()
    }
}

/// IAM's rule for a path: `/`, or `/` + printable ASCII without spaces +
/// `/`, up to 512 characters.
pub fn is_iam_path(path: &str) -> bool {
    let inner = path.strip_prefix('/').and_then(|rest| rest.strip_suffix('/'));
    let shape =
        path == "/" || inner.is_some_and(|i| !i.is_empty() && i.chars().all(|c| ('!'..='~').contains(&c)));
    shape && path.len() <= 512
}

fn is_default_path(path: &str) -> bool {
    path == DEFAULT_PATH
}

fn is_default_session(seconds: &u32) -> bool {
    *seconds == DEFAULT_MAX_SESSION
}
