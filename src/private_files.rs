//! The factory's files hold signing keys and key hashes: only the factory's user may read them.

use std::fs::{self, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its missing parents) readable by the owner only, and tightens it if it
/// already exists with looser permissions: for the factory's own data directory.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    create_dir(dir)?;
    tighten(dir, DIR_MODE)
}

/// Creates whatever of `dir` is missing owner-only, leaving existing directories as they are
/// (a database file may live in a directory the factory does not own, such as /var/lib).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Tightens an existing file to owner read and write; a missing file is left missing.
pub fn private_file(path: &Path) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(_) => tighten(path, FILE_MODE),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    let was = fs::metadata(path)?.permissions().mode() & 0o777;
    // Anything the group or others may do is too much; the owner's own bits are kept as set.
    if was & 0o077 != 0 || was & mode != mode {
        fs::set_permissions(path, Permissions::from_mode(mode))?;
        log::info!("tightened {} from {was:o} to {mode:o}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_loose_directories_and_files_end_up_private() {
        let root = tempfile::tempdir().unwrap();
        let fresh = root.path().join("a/b");
        private_dir(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o700);

        let loose = root.path().join("loose");
        fs::create_dir(&loose).unwrap();
        fs::set_permissions(&loose, Permissions::from_mode(0o755)).unwrap();
        let file = loose.join("factory.db");
        fs::write(&file, b"").unwrap();
        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        private_dir(&loose).unwrap();
        private_file(&file).unwrap();
        private_file(&loose.join("missing")).unwrap();
        assert_eq!((mode(&loose), mode(&file)), (0o700, 0o600));
        assert!(!loose.join("missing").exists());
    }
}
