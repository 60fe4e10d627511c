//! Private files: the data directory and every store file are readable by the factory's user only.

use std::fs::{self, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::BACKEND;
use crate::backend::Backend;
use crate::process::start;

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The files a start leaves in the data directory: the SQLite store (with its WAL) when the
/// suite runs on SQLite, and the generated admin key.
fn store_files(data: &Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![data.join("admin.key")];
    if BACKEND == Backend::Sqlite {
        files.extend(["factory.db", "factory.db-wal", "factory.db-shm"].map(|f| data.join(f)));
    }
    files
}

#[tokio::test]
async fn a_fresh_start_keeps_the_data_directory_and_its_files_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut factory = start(&data, &[]);
    assert_eq!(mode(&data), 0o700, "data directory");
    for file in store_files(&data) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    let log = factory.log();
    assert!(
        log.contains("(EdDSA), signing from") && !log.contains("a EdDSA"),
        "{log}"
    );
    factory.terminate();
}

#[tokio::test]
async fn a_start_tightens_a_data_directory_left_readable_by_others() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut factory = start(&data, &[]);
    factory.terminate();
    fs::set_permissions(&data, Permissions::from_mode(0o755)).unwrap();
    // A clean stop checkpoints and removes the WAL; whatever is left is loosened.
    for file in store_files(&data).into_iter().filter(|f| f.exists()) {
        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
    }

    let mut factory = start(&data, &[]);
    assert_eq!(mode(&data), 0o700, "data directory");
    for file in store_files(&data) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    let log = factory.log();
    assert!(log.contains("from 755 to 700"), "says what it tightened: {log}");
    factory.terminate();
}
