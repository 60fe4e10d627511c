//! What the binary tells an instructor who is not watching a terminal: a scenario directory that
//! holds nothing, and a live drill's progress in a log.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::start;

const ADMIN: &str = "notices-admin-key-0123456789abcdef0123456789ab";

/// Waits until the factory's log holds `needle`, or fails showing the log.
fn log_shows(factory: &crate::process::Factory, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = factory.log();
        if log.contains(needle) {
            return log;
        }
        assert!(Instant::now() < deadline, "no {needle:?} in the log:\n{log}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_missing_or_empty_scenario_directory_is_a_warning_with_its_absolute_path() {
    let data = tempfile::tempdir().unwrap();
    let missing = "no-such-scenarios-here";
    let factory = start(data.path(), &[("FACTORY_SCENARIO_DIR", missing)]);
    let absolute = std::env::current_dir().unwrap().join(missing);
    let log = log_shows(&factory, "does not exist");
    let line = log.lines().find(|l| l.contains("does not exist")).unwrap();
    assert!(line.contains("WARN"), "{line}");
    assert!(
        line.contains(&format!("scenario directory {} ", absolute.display())),
        "{line}"
    );
    drop(factory);

    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "not a scenario").unwrap();
    let data = tempfile::tempdir().unwrap();
    let factory = start(data.path(), &[("FACTORY_SCENARIO_DIR", empty.path().to_str().unwrap())]);
    let log = log_shows(&factory, "holds no scenario");
    let line = log.lines().find(|l| l.contains("holds no scenario")).unwrap();
    assert!(
        line.contains("WARN") && line.contains(&empty.path().display().to_string()),
        "{line}"
    );
}

#[test]
fn a_live_drill_writes_progress_lines_when_its_output_is_piped() {
    let data = tempfile::tempdir().unwrap();
    let factory = start(data.path(), &[("FACTORY_ADMIN_KEY", ADMIN)]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("short.toml");
    std::fs::write(
        &file,
        "vendors = [\"piped-team\"]\n[chaos]\nmode = \"fail\"\nstart = \"+1s\"\n\
         [[orders]]\nat = [\"+2s\", \"+3s\"]\nitems = [{ price = 0.001 }]\n\
         [resolve]\nby = \"admin\"\nafter = \"3s\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
        .env_clear()
        .args([
            "drill",
            file.to_str().unwrap(),
            "--url",
            &factory.url,
            "--progress-every",
            "1",
        ])
        .env("FACTORY_ADMIN_KEY", ADMIN)
        .env("FACTORY_DATA_DIR", data.path().join("drill"))
        .stdin(Stdio::null())
        .output()
        .expect("drill runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("drill progress: ")).collect();
    assert!(
        !lines.is_empty(),
        "no progress line\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        lines[0].contains("elapsed 0:0") && lines[0].contains("orders sent"),
        "{lines:?}"
    );
    assert!(!stderr.contains('\r'), "no terminal rewrites in a log: {stderr:?}");
    assert!(stdout.contains("expectations"), "the report still comes: {stdout}");
}
