//! Commands on the state itself.

use miette::{miette, IntoDiagnostic};

use super::{Context, Exit, StateCommand};
use crate::cloud::Cloud;
use crate::config::Desired;
use crate::model::{AccountFilter, Address};
use crate::rebuild::rebuild;
use crate::state::{ObjectStore, State, StateFile, StateStore};

/// `desired`: the configuration, when it exists (`rebuild` needs it).
pub async fn state<C: Cloud>(
    cx: &Context,
    cloud: &C,
    desired: Option<Desired>,
    command: StateCommand,
) -> miette::Result<Exit> {
    let store = cx.state_store(desired.as_ref(), cloud)?;
    match command {
        StateCommand::List => {
            let state = store.load().await.into_diagnostic()?;
            for s in state.stacksets() {
                let pending = s.pending.as_ref().map(|p| format!(" (operation {} pending)", p.id));
                println!("stackset/{}{}", s.name, pending.unwrap_or_default());
                for d in &s.deployed {
                    let accounts: Vec<String> = d.accounts.iter().map(|a| a.to_string()).collect();
                    let filter = match d.filter {
                        AccountFilter::None => String::new(),
                        other => format!(" ({other:?}: {})", accounts.join(", ")).to_lowercase(),
                    };
                    println!("stackset/{}/instances/{}/{}{filter}", s.name, d.ou, d.region);
                }
            }
            for r in state.resources() {
                println!("{}", r.address);
            }
        }
        StateCommand::Show { address } => {
            let address: Address = address.parse().into_diagnostic()?;
            let state = store.load().await.into_diagnostic()?;
            let r = state.get(&address).ok_or_else(|| {
                miette!(
                    help = "`orgrole state list` shows the addresses in the state",
                    "{address} is not in the state"
                )
            })?;
            println!("address: {}\narn:     {}", r.address, r.arn);
        }
        StateCommand::Pull => print!("{}", crate::state::to_json(&store.load().await.into_diagnostic()?)),
        StateCommand::Push { file, force } => {
            let pushed = StateFile::new(&file).load().into_diagnostic()?;
            replace_state(cx, &store, "state push", |current| replace(current, pushed, force)).await?;
            println!("Pushed {} to {}.", file.display(), store.location());
        }
        StateCommand::Rebuild { force } => {
            let desired = desired.expect("loaded by the caller");
            let bar = cx.reading_bar(false);
            let op = cx.operation(cloud, &desired, &store).watched(&bar);
            let observed = op.observe(&State::new(), false).await.into_diagnostic()?;
            let rebuilt = rebuild(&desired, &observed);
            for r in rebuilt.resources() {
                println!("found {} ({})", r.address, r.arn);
            }
            let count = rebuilt.resources().len();
            replace_state(cx, &store, "state rebuild", |current| {
                if !force && !current.resources().is_empty() {
                    return Err(miette!(
                        help = "rebuild is for a lost state; pass --force to replace this one",
                        "{} still records {} resource(s): nothing was written",
                        store.location(),
                        current.resources().len()
                    ));
                }
                Ok(rebuilt)
            })
            .await?;
            println!("Wrote a new state (new lineage) with {count} resource(s) to {}.", store.location());
        }
    }
    Ok(Exit::Success)
}

/// Replaces the stored state with `make(current)`, holding the lock.
async fn replace_state<O: ObjectStore>(
    cx: &Context,
    store: &StateStore<O>,
    operation: &str,
    make: impl FnOnce(&State) -> miette::Result<State>,
) -> miette::Result<()> {
    store
        .under_lock(operation, cx.global.lock_timeout, async || {
            let current = store.load().await.into_diagnostic()?;
            let mut next = make(&current)?;
            // Written over the one just read: the serial goes on from the higher.
            next.serial = next.serial.max(current.serial);
            store.save(&mut next).await.into_diagnostic()
        })
        .await
}

/// The pushed state, unless it would replace a state it does not descend from.
fn replace(current: &State, pushed: State, force: bool) -> miette::Result<State> {
    if force || current.serial == 0 {
        return Ok(pushed);
    }
    if current.lineage != pushed.lineage {
        return Err(miette!(
            help = "check that this is the right state; --force replaces it anyway",
            "the stored state is another one (lineage {}, the pushed file's is {}): nothing was written",
            current.lineage,
            pushed.lineage
        ));
    }
    if current.serial > pushed.serial {
        return Err(miette!(
            help = "pull the newer state first; --force replaces it anyway",
            "the stored state is newer (serial {}, the pushed file's is {}): nothing was written",
            current.serial,
            pushed.serial
        ));
    }
    Ok(pushed)
}

pub async fn force_unlock<C: Cloud>(
    cx: &Context,
    cloud: &C,
    desired: Option<&Desired>,
    id: &str,
) -> miette::Result<Exit> {
    let info = cx.state_store(desired, cloud)?.force_unlock(id).await.into_diagnostic()?;
    println!(
        "Removed the lock {} held by {} (pid {}, operation `{}`, since {}).",
        info.id, info.who, info.pid, info.operation, info.created
    );
    Ok(Exit::Success)
}

pub fn show(
    path: &std::path::Path,
    format: super::Format,
    paint: crate::render::Paint,
) -> miette::Result<Exit> {
    let saved = crate::saved_plan::SavedPlan::read(path).into_diagnostic()?;
    if format == super::Format::Text {
        println!(
            "Saved plan {}: made {} from {} against state serial {} (lineage {}).\n",
            path.display(),
            saved.created,
            saved.config,
            saved.state_serial,
            saved.state_lineage
        );
    }
    print!("{}", super::review::rendered(&saved.plan, format, paint));
    Ok(Exit::Success)
}
