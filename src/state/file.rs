use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::local_files::LocalFiles;
use super::lock_object::LockObject;
use super::{parse, to_json, State, StateError};
use crate::private_file::write_private;

/// A state kept in a local JSON file, with `<path>.backup` (the previous
/// version) and `<path>.lock` beside it.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    }

    pub fn backup_path(&self) -> PathBuf {
        self.sibling(".backup")
    }

    fn lock_path(&self) -> PathBuf {
        self.sibling(".lock")
    }

    /// The state, or a new empty one when there is no file yet.
    pub fn load(&self) -> Result<State, StateError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::new()),
            Err(e) => return Err(StateError::io(&self.path)(e)),
        };
        let backup = self.backup_path();
        parse(&text, &self.path.display().to_string(), backup.exists().then_some(backup))
    }

    /// Bumps the serial and writes the state atomically: a temporary file in
    /// the same directory, fsync, rename over the old one (kept as the
    /// backup), fsync of the directory. A crash leaves the old or the new
    /// file, never half of one.
    pub fn save(&self, state: &mut State) -> Result<(), StateError> {
        state.serial += 1;
        let io = StateError::io(&self.path);
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(StateError::io(dir))?;
        let text = to_json(state);

        let tmp = self.sibling(&format!(".tmp.{}", std::process::id()));
        write_private(&tmp, text.as_bytes()).map_err(StateError::io(&tmp))?;
        if self.path.exists() {
            fs::copy(&self.path, self.backup_path()).map_err(StateError::io(&self.backup_path()))?;
        }
        fs::rename(&tmp, &self.path).map_err(io)?;
        File::open(dir).and_then(|d| d.sync_all()).map_err(StateError::io(dir))?;
        Ok(())
    }

    /// The lock file beside the state.
    pub fn lock(&self) -> LockObject<'static, LocalFiles> {
        let path = self.lock_path().display().to_string();
        LockObject { store: &LocalFiles, key: path.clone(), location: path }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountId, Address};
    use crate::state::StateResource;

    fn sample() -> State {
        let mut s = State::new();
        let id = AccountId::parse("111111111111").unwrap();
        s.upsert(StateResource {
            address: Address::role(&id, "r"),
            arn: "arn:aws:iam::111111111111:role/r".into(),
            applied: None,
        });
        s
    }

    #[test]
    fn saves_and_loads_with_a_growing_serial_and_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state/x.state.json"));
        let mut s = sample();
        file.save(&mut s).unwrap();
        assert_eq!(file.load().unwrap(), s);
        assert!(!file.backup_path().exists());
        let first = fs::read_to_string(file.path()).unwrap();
        file.save(&mut s).unwrap();
        assert_eq!(file.load().unwrap().serial, 2);
        assert_eq!(fs::read_to_string(file.backup_path()).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(file.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_missing_file_is_a_new_state() {
        let dir = tempfile::tempdir().unwrap();
        let s = StateFile::new(dir.path().join("none.json")).load().unwrap();
        assert_eq!((s.serial, s.resources().len()), (0, 0));
    }

    #[test]
    fn a_truncated_file_is_refused_naming_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("x.json"));
        let mut s = sample();
        file.save(&mut s).unwrap();
        file.save(&mut s).unwrap();
        let text = fs::read_to_string(file.path()).unwrap();
        fs::write(file.path(), &text[..text.len() / 2]).unwrap();
        let err = file.load().unwrap_err();
        assert!(matches!(&err, StateError::Corrupt { backup: Some(_), .. }), "{err}");
        assert!(err.to_string().contains("x.json.backup"), "{err}");
    }

    #[test]
    fn a_newer_format_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("x.json"));
        let text = r#"{"format_version": 99, "lineage": "l", "serial": 1, "future": true}"#;
        fs::write(file.path(), text).unwrap();
        assert!(matches!(file.load(), Err(StateError::NewerFormat { found: 99, .. })));
        assert_eq!(fs::read_to_string(file.path()).unwrap(), text);
    }
}
