//! Files only their owner may read: state files and saved plans describe
//! the accounts and carry the external ID.

use std::io::Write;
use std::path::Path;

/// Creates or truncates `path` (mode 0600 on unix), writes `bytes` and
/// syncs them to disk.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
