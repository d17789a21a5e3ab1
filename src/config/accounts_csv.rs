//! The Organizations console's account export (`Organization_accounts_information.csv`),
//! read by header name so that column order and the `State`/`Status` rename
//! do not matter. Only the account IDs are taken.

use std::path::{Path, PathBuf};

use crate::model::AccountId;

const COLUMN: &str = "Account ID";

#[derive(Debug, thiserror::Error)]
pub(super) enum CsvError {
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: csv::Error },
    #[error("{} has no \"{COLUMN}\" column (found: {})", .path.display(), .found.join(", "))]
    NoColumn { path: PathBuf, found: Vec<String> },
    #[error("line {line} of {}: `{id}` is not a 12-digit account ID", .path.display())]
    BadId { path: PathBuf, line: u64, id: String },
}

impl CsvError {
    pub fn help(&self) -> String {
        match self {
            CsvError::Read { .. } => {
                "fix the path (a relative path is relative to the config file's directory) or the file".into()
            }
            CsvError::NoColumn { .. } => {
                format!("use the Organizations console's account export, which has an \"{COLUMN}\" column")
            }
            CsvError::BadId { line, .. } => format!("fix line {line}: an account ID is exactly 12 digits"),
        }
    }
}

/// The account IDs of the file, in order; every bad row is reported.
pub(super) fn read(path: &Path) -> Result<Vec<AccountId>, Vec<CsvError>> {
    let read_err = |source| vec![CsvError::Read { path: path.into(), source }];
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(read_err)?;
    let headers = reader.headers().map_err(read_err)?.clone();
    let Some(column) = headers.iter().position(|h| normalize(h) == normalize(COLUMN)) else {
        let found = headers.iter().map(|h| h.trim_start_matches('\u{feff}').to_owned()).collect();
        return Err(vec![CsvError::NoColumn { path: path.into(), found }]);
    };
    let (mut ids, mut errors) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.map_err(read_err)?;
        let id = record.get(column).unwrap_or_default().trim();
        match AccountId::parse(id) {
            Ok(id) => ids.push(id),
            Err(_) => errors.push(CsvError::BadId {
                path: path.into(),
                line: record.position().map_or(0, |p| p.line()),
                id: id.into(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(errors)
    }
}

/// Headers are matched ignoring case, spaces and a UTF-8 byte order mark
/// (spreadsheet programs add one).
fn normalize(header: &str) -> String {
    header.chars().filter(|c| *c != '\u{feff}' && !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Result<Vec<String>, Vec<CsvError>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.csv");
        std::fs::write(&path, text).unwrap();
        read(&path).map(|ids| ids.into_iter().map(String::from).collect())
    }

    #[test]
    fn reads_the_console_export_by_header() {
        let text = "Account ID,ARN,Email,Name,State,Joined method,Joined timestamp\n\
            012345678901,arn:aws:organizations::012345678901:account/o-x/012345678901,a@example.com,A,ACTIVE,CREATED,2024-01-01\n\
            111111111111,arn:aws:organizations::012345678901:account/o-x/111111111111,b@example.com,\"B, Inc\",ACTIVE,INVITED,2024-01-02\n";
        assert_eq!(ids(text).unwrap(), ["012345678901", "111111111111"]);
    }

    #[test]
    fn column_order_case_bom_and_older_status_header() {
        let text = "\u{feff}Name,Status,account id,Email\nA,ACTIVE,222222222222,a@example.com\n";
        assert_eq!(ids(text).unwrap(), ["222222222222"]);
        let text = "Email,AccountID\na@example.com,333333333333\n";
        assert_eq!(ids(text).unwrap(), ["333333333333"]);
    }

    #[test]
    fn no_account_id_column() {
        let err = ids("Id,Name\n111111111111,A\n").unwrap_err();
        let message = err[0].to_string();
        assert!(message.ends_with("has no \"Account ID\" column (found: Id, Name)"), "{message}");
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err = ids("Account ID,Name\n111111111111,A\n12345,B\n222222222222,C\n,D\n").unwrap_err();
        let messages: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2);
        assert!(messages[0].starts_with("line 3 of") && messages[0].contains("`12345`"), "{messages:?}");
        assert!(messages[1].starts_with("line 5 of") && messages[1].contains("``"), "{messages:?}");
    }
}
