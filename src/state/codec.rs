//! The state's JSON, read and written the same way by every backend.

use std::path::PathBuf;

use super::format::{StateFileV1, FORMAT_VERSION};
use super::{State, StateError};

/// Parses a state; `location` (a path or URL) and the backup, if any, are
/// named in the errors.
pub fn parse(text: &str, location: &str, backup: Option<PathBuf>) -> Result<State, StateError> {
    let corrupt =
        |source| StateError::Corrupt { location: location.to_owned(), backup: backup.clone(), source };
    // The version first, so that a newer format is named as such rather than as corrupt.
    #[derive(serde::Deserialize)]
    struct Version {
        format_version: u32,
    }
    let version: Version = serde_json::from_str(text).map_err(corrupt)?;
    if version.format_version > FORMAT_VERSION {
        return Err(StateError::NewerFormat {
            location: location.to_owned(),
            found: version.format_version,
            supported: FORMAT_VERSION,
        });
    }
    // Format 1 is the only one so far.
    let file: StateFileV1 = serde_json::from_str(text).map_err(corrupt)?;
    Ok(file.into())
}

/// In the format this orgrole writes.
pub fn to_json(state: &State) -> String {
    let mut text = serde_json::to_string_pretty(&StateFileV1::from(state)).expect("state serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMAT_1: &str = include_str!("../../tests/fixtures/state-format-1.json");

    /// Every state file written so far must read, and be written again as it was.
    #[test]
    fn a_state_of_format_1_reads_and_is_written_again_byte_for_byte() {
        let state = parse(FORMAT_1, "state-format-1.json", None).unwrap();
        assert_eq!(state.resources().len(), 12);
        assert_eq!(state.stacksets().len(), 5);
        assert_eq!(to_json(&state), FORMAT_1);
    }

    /// Direct mode's states have no `stacksets` at all, as before there were stack sets.
    #[test]
    fn a_state_without_stack_sets_is_written_without_the_key() {
        let text = to_json(&State::new());
        assert!(!text.contains("stacksets"), "{text}");
        assert!(parse(&text, "x", None).unwrap().stacksets().is_empty());
    }
}
