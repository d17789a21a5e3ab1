//! Runs the real `orgrole` binary in a temporary directory against moto,
//! as the test's management account.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use aws_credential_types::provider::ProvideCredentials;
use tempfile::TempDir;

use super::moto::moto;
use super::org::{block_on, Org};

pub const EXTERNAL_ID: &str = "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11";
pub const VENDOR: &str = "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security";

/// The README's config, with the given `direct` block body.
pub fn radiant_config(direct: &str) -> String {
    format!(
        r#"credential "AWS API Credentials" {{ external-id env="RS_CREDENTIAL_ID"; }}
role "radiant-aws-api-access-role" {{
    trust "{VENDOR}"
    policy "radiant-aws-api-access-policy" preset="radiant"
}}
direct {{ {direct} }}
"#
    )
}

/// The same role deployed by one service-managed stack set to `targets`
/// (`organization`, or `ou "..."` lines), in us-east-1.
pub fn stackset_config(targets: &str, management_account: bool) -> String {
    format!(
        r#"credential "AWS API Credentials" {{ external-id env="RS_CREDENTIAL_ID"; }}
role "radiant-aws-api-access-role" {{
    trust "{VENDOR}"
    policy "radiant-aws-api-access-policy" preset="radiant"
}}
stackset "radiant-aws-api-access" {{
    {targets}
    regions "us-east-1"
    management-account #{management_account}
}}
"#
    )
}

pub struct Test {
    dir: TempDir,
    /// Where the binary runs; the temporary directory unless set.
    cwd: Option<PathBuf>,
    env: Vec<(String, String)>,
    /// `ulimit -n` for the runs.
    fd_limit: Option<u32>,
}

impl Test {
    pub fn new(org: &Org) -> Self {
        Self::as_account(org, "management")
    }

    /// Runs as the named account of `org` (or "management").
    pub fn as_account(org: &Org, name: &str) -> Self {
        let c = block_on(org.credentials_of(name).provide_credentials()).expect("test credentials");
        let mut test = Self::without_aws();
        test.env.extend([
            ("AWS_ENDPOINT_URL".into(), moto().endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".into(), c.access_key_id().into()),
            ("AWS_SECRET_ACCESS_KEY".into(), c.secret_access_key().into()),
            ("AWS_SESSION_TOKEN".into(), c.session_token().unwrap_or_default().into()),
        ]);
        test
    }

    /// No AWS at all: the endpoint is a closed port, so a call would fail loudly.
    pub fn without_aws() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let env = [
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("RS_CREDENTIAL_ID", EXTERNAL_ID),
            ("ORGROLE_LOG", "orgrole::api=debug"),
        ];
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Self { dir, cwd: None, env, fd_limit: None }
    }

    pub fn config(self, text: &str) -> Self {
        self.file("orgrole.kdl", text)
    }

    pub fn file(self, name: &str, text: &str) -> Self {
        std::fs::write(self.path(name), text).expect("write a test file");
        self
    }

    /// Runs the binary in `dir` instead of the temporary directory.
    pub fn cwd(mut self, dir: PathBuf) -> Self {
        self.cwd = Some(dir);
        self
    }

    /// Runs the binary with at most `n` open files (`ulimit -n`).
    pub fn fd_limit(mut self, n: u32) -> Self {
        self.fd_limit = Some(n);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The last value set for an environment variable of the runs.
    pub fn env_value(&self, key: &str) -> String {
        self.env.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn command(&self, args: &[&str]) -> Command {
        let binary = env!("CARGO_BIN_EXE_orgrole");
        let mut cmd = match self.fd_limit {
            Some(n) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\""), binary]);
                sh
            }
            None => Command::new(binary),
        };
        cmd.args(args)
            .current_dir(self.cwd.as_deref().unwrap_or(self.dir.path()))
            .env_remove("AWS_PROFILE")
            .env_remove("NO_COLOR");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.command(args).stdin(Stdio::null()).output().expect("orgrole runs");
        Run::from(output, args)
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("orgrole starts")
    }

    pub fn state_json(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.path("state/orgrole.state.json")).expect("a state file");
        serde_json::from_str(&text).expect("the state file is JSON")
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    args: String,
}

impl Run {
    pub fn from(output: Output, args: &[&str]) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            args: args.join(" "),
        }
    }

    fn context(&self) -> String {
        format!(
            "`orgrole {}` exited {}\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(self.code, expected, "{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Self {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}\n{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, text: &str) -> Self {
        assert!(!self.stdout.contains(text), "stdout has {text:?}\n{}", self.context());
        self
    }

    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Self {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}\n{}", self.context());
        self
    }

    /// API calls orgrole logged (ORGROLE_LOG=orgrole::api=debug).
    pub fn api_calls(&self) -> usize {
        self.stderr.lines().filter(|l| l.contains("orgrole::api") && l.contains(" call ")).count()
    }

    /// Write calls: anything but reads (simulations included) and credentials.
    pub fn write_calls(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains("orgrole::api") && l.contains(" call "))
            .filter(|l| {
                !["Get", "List", "Describe", "Simulate", "AssumeRole"]
                    .iter()
                    .any(|r| l.contains(&format!(":{r}")))
            })
            .collect()
    }
}
