//! Getting started: init, shell completions, the man page.

use std::path::Path;

use clap::CommandFactory;
use miette::{miette, IntoDiagnostic};

use super::{Cli, Context, Exit, PermissionsFormat};
use crate::cloud::Cloud;
use crate::init::{configuration, Mode};

/// Writes a first configuration from the organization, as the caller reads it.
pub async fn init<C: Cloud>(cloud: &C, mode: Mode, out: &Path) -> miette::Result<Exit> {
    if out.exists() {
        return Err(miette!(
            help = "remove it or give another file with --out",
            "{} exists: orgrole init never overwrites a configuration",
            out.display()
        ));
    }
    let caller = cloud.caller().await.into_diagnostic()?;
    let org = cloud.organization().await.into_diagnostic()?;
    if mode == Mode::Stackset && org.is_none() {
        return Err(miette!(
            help = "run in the organization's management account, or write a direct configuration with --mode direct",
            "StackSet mode needs an organization, and account {} is not in one (or may not read it)",
            caller.account
        ));
    }
    let region = cloud.region().unwrap_or_else(|| "us-east-1".into());
    let text = configuration(&caller, org.as_ref(), mode, &region);
    // Created, never truncated: a file made since the check above stays as it is.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(out).into_diagnostic()?;
    std::io::Write::write_all(&mut file, text.as_bytes()).into_diagnostic()?;
    println!(
        "Wrote {}. Next: set RS_CREDENTIAL_ID, then `orgrole validate` and `orgrole plan`.",
        out.display()
    );
    Ok(Exit::Success)
}

/// The caller's and the access role's policies, as JSON or with headings.
pub fn permissions(
    cx: &Context,
    desired: &crate::config::Desired,
    format: PermissionsFormat,
) -> miette::Result<Exit> {
    let needed = crate::permissions::needed(desired, cx.s3_state(desired)?);
    match format {
        PermissionsFormat::Json => println!("{needed:#}"),
        PermissionsFormat::Text => {
            println!(
                "# The caller (the management account, or the delegated administrator): its policy
{:#}
",
                needed["caller"]
            );
            println!(
                "# The access role ({}) in each account the role goes to: its policy
{:#}",
                desired.access_role(),
                needed["access_role"]
            );
        }
    }
    Ok(Exit::Success)
}

pub fn completions(shell: clap_complete::Shell) -> miette::Result<Exit> {
    clap_complete::generate(shell, &mut Cli::command(), "orgrole", &mut std::io::stdout());
    Ok(Exit::Success)
}

pub fn man() -> miette::Result<Exit> {
    clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()).into_diagnostic()?;
    Ok(Exit::Success)
}
