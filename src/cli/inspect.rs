//! Commands on the state itself.

use miette::{miette, IntoDiagnostic};

use super::{Context, Exit, StateCommand};
use crate::model::Address;

pub fn state(cx: &Context, command: StateCommand) -> miette::Result<Exit> {
    let state = cx.state_file().load().into_diagnostic()?;
    match command {
        StateCommand::List => {
            for r in state.resources() {
                println!("{}", r.address);
            }
        }
        StateCommand::Show { address } => {
            let address: Address = address.parse().into_diagnostic()?;
            let r = state.get(&address).ok_or_else(|| {
                miette!(
                    help = "`orgrole state list` shows the addresses in the state",
                    "{address} is not in the state"
                )
            })?;
            println!("address: {}\narn:     {}", r.address, r.arn);
        }
    }
    Ok(Exit::Success)
}

pub fn force_unlock(cx: &Context, id: &str) -> miette::Result<Exit> {
    let info = cx.state_file().force_unlock(id).into_diagnostic()?;
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
