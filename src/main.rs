use std::process::ExitCode;

fn main() -> ExitCode {
    match orgrole::cli::run() {
        Ok(exit) => exit.into(),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::FAILURE
        }
    }
}
