//! A headless Chromium session for one test: chromedriver on a free port, a fresh profile,
//! a window of a given size, and screenshots saved where the README finds them.

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

/// What Debian calls the two programs (`apt-get install chromium chromium-driver`).
const DRIVER: &str = "chromedriver";
const BROWSER: &str = "chromium";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

/// A program on `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    /// A fresh headless session with a `width` × `height` window, or `None` (after saying why)
    /// when the programs are missing outside CI. Under CI a missing program fails the test.
    pub async fn open(width: u32, height: u32) -> Option<Browser> {
        let (Some(driver), Some(browser)) = (which(DRIVER), which(BROWSER)) else {
            let why = format!(
                "browser tests need `{DRIVER}` and `{BROWSER}` on PATH \
                 (apt-get install chromium chromium-driver; .ci/run does it)"
            );
            if std::env::var_os("CI").is_some() {
                panic!("{why}");
            }
            // Straight to the file descriptor: the test harness captures `eprintln!`.
            let _ = writeln!(std::io::stderr().lock(), "\nbrowser journey skipped: {why}");
            return None;
        };
        let port = free_port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a profile dir");
        let mut session = Browser {
            client: connect(port, &browser, profile.path()).await,
            driver,
            _profile: profile,
        };
        session.resize(width, height).await;
        Some(session)
    }

    pub async fn resize(&mut self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("window resized");
    }

    /// Saves what the window shows to `docs/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot taken");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot saved");
    }

    /// Ends the session (the browser exits) and then chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Waits for chromedriver to listen, then opens a session of a headless Chromium with its own
/// profile, nothing running in the background and no first-run screens.
async fn connect(port: u16, browser: &Path, profile: &Path) -> Client {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on port {port} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": browser, "args": args},
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("chromedriver opened no {BROWSER} session: {e}"))
}
