use std::fmt;

/// What went wrong in a cloud call, in terms orgrole acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    AccessDenied,
    Throttled,
    LimitExceeded,
    DeleteConflict,
    MalformedPolicy,
    /// StackSets: another operation on the stack set is running.
    OperationInProgress,
    /// StackSets: DeleteStackSet while instances remain.
    NotEmpty,
    /// StackSets: the caller is neither the management account nor a
    /// delegated administrator registered for StackSets (as it called).
    NotDelegatedAdmin,
    /// StackSets: trusted access with AWS Organizations is off.
    TrustedAccessOff,
    Other,
}

/// StackSets' refusals of a caller that is not what CallAs says: with
/// DELEGATED_ADMIN from an account not registered, and without it from a
/// member account.
const NOT_DELEGATED_ADMIN: [&str; 2] = [
    "Account used is not a delegated administrator",
    "You must be the management account or delegated admin account",
];
/// CreateStackSet (service-managed) before ActivateOrganizationsAccess.
const TRUSTED_ACCESS_OFF: &str = "You must enable organizations access";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CloudError {
    pub kind: ErrorKind,
    /// The API operation, e.g. `iam:CreateRole`.
    pub operation: String,
    /// AWS's error code, when AWS answered.
    pub code: Option<String>,
    pub message: String,
}

impl CloudError {
    pub fn from_code(operation: impl Into<String>, code: Option<&str>, message: impl Into<String>) -> Self {
        let message = message.into();
        let kind = match code.unwrap_or_default() {
            // StackSets says these in a ValidationError's message only.
            "ValidationError" if NOT_DELEGATED_ADMIN.iter().any(|m| message.contains(m)) => {
                ErrorKind::NotDelegatedAdmin
            }
            "ValidationError" if message.contains(TRUSTED_ACCESS_OFF) => ErrorKind::TrustedAccessOff,
            "NoSuchEntity"
            | "NoSuchEntityException"
            | "AWSOrganizationsNotInUseException"
            | "StackSetNotFoundException"
            | "OperationNotFoundException"
            | "StackInstanceNotFoundException" => ErrorKind::NotFound,
            "EntityAlreadyExists" | "NameAlreadyExistsException" => ErrorKind::AlreadyExists,
            "OperationInProgressException" => ErrorKind::OperationInProgress,
            "StackSetNotEmptyException" => ErrorKind::NotEmpty,
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => ErrorKind::AccessDenied,
            "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => {
                ErrorKind::Throttled
            }
            "LimitExceeded" => ErrorKind::LimitExceeded,
            "DeleteConflict" => ErrorKind::DeleteConflict,
            "MalformedPolicyDocument" => ErrorKind::MalformedPolicy,
            _ => ErrorKind::Other,
        };
        Self { kind, operation: operation.into(), code: code.map(str::to_owned), message }
    }
}

/// What denied an AccessDenied, when AWS's message says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// `... with an explicit deny in a service control policy` (newer
    /// messages append the policy's ARN).
    ServiceControlPolicy,
    /// `... because no permissions boundary allows the ... action`.
    PermissionsBoundary,
}

impl CloudError {
    pub fn denial(&self) -> Option<Denial> {
        if self.kind != ErrorKind::AccessDenied {
            return None;
        }
        if self.message.contains("service control policy") {
            Some(Denial::ServiceControlPolicy)
        } else if self.message.contains("permissions boundary") {
            Some(Denial::PermissionsBoundary)
        } else {
            None
        }
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.message)
    }
}
