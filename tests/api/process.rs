//! The real binary as a process: start-up, logs, signals and crashes.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::order_body;

pub struct Factory {
    pub child: Child,
    pub url: String,
    pub log: Arc<Mutex<String>>,
}

/// Starts `pizza-factory` on port 0 and waits for the line that says where it listens.
pub fn start(data_dir: &Path, envs: &[(&str, &str)]) -> Factory {
    start_command(Command::new(env!("CARGO_BIN_EXE_pizza-factory")), data_dir, envs)
}

/// Like `start`, with a command that runs the binary in the end (a shell setting limits first).
pub fn start_command(mut command: Command, data_dir: &Path, envs: &[(&str, &str)]) -> Factory {
    let mut child = command
        .env_clear()
        .env("FACTORY_DATA_DIR", data_dir)
        .env("FACTORY_PORT", "0")
        .env("FACTORY_WORKERS", "2")
        .env("RUST_LOG", "debug")
        .envs(crate::backend::store_url(data_dir).map(|url| ("FACTORY_DATABASE_URL", url)))
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    for stream in [
        Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stdout.take().unwrap()),
    ] {
        let log = log.clone();
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
    }
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no listening line: {}", log.lock().unwrap()));
    Factory {
        child,
        url: format!("http://{addr}"),
        log,
    }
}

impl Factory {
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        self.signal("TERM")
    }

    /// Sends the signal (`TERM`, `INT`) and waits for the process to exit.
    pub fn signal(&mut self, name: &str) -> std::process::ExitStatus {
        send_signal(self.child.id(), name);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "factory did not stop on SIG{name}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Factory {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send_signal(pid: u32, name: &str) {
    Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
}

/// Creates a vendor through the admin API and returns its key.
pub async fn create_vendor(client: &reqwest::Client, url: &str, admin: &str, id: &str) -> String {
    let created: Value = post(
        client,
        &format!("{url}/api/admin/vendors"),
        admin,
        json!({"id": id, "name": "V"}),
    )
    .await
    .json()
    .await
    .unwrap();
    created["apiKey"].as_str().unwrap().to_owned()
}

pub async fn post(client: &reqwest::Client, url: &str, key: &str, body: Value) -> reqwest::Response {
    client.post(url).bearer_auth(key).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn generated_admin_key_is_printed_once_and_saved_privately() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = start(dir.path(), &[]);
    let key_file = dir.path().join("admin.key");
    let key = std::fs::read_to_string(&key_file).unwrap().trim().to_owned();
    assert!(key.len() >= 43);
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{}/api/admin/vendors", first.url))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(first.log().matches(&key).count(), 1, "printed exactly once");
    assert!(first.terminate().success());
    let second = start(dir.path(), &[]);
    let res = client
        .get(format!("{}/api/admin/vendors", second.url))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!second.log().contains(&key), "a later start never prints the key");
}

#[tokio::test]
async fn no_secret_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "configured-admin-key-0123456789abcdef0123456789";
    let mut factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", admin)]);
    let client = reqwest::Client::new();
    let key = create_vendor(&client, &factory.url, admin, "v1").await;
    let rotated: Value = post(
        &client,
        &format!("{}/api/admin/vendors/v1/apikey", factory.url),
        admin,
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    let new_key = rotated["apiKey"].as_str().unwrap().to_owned();
    let res = post(
        &client,
        &format!("{}/api/admin/vendors/v1/chaos", factory.url),
        admin,
        json!({"mode": "fail", "start": "now"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let failed: Value = post(
        &client,
        &format!("{}/api/order", factory.url),
        &new_key,
        order_body(&[1.0]),
    )
    .await
    .json()
    .await
    .unwrap();
    let report_url = failed["reportUrl"].as_str().unwrap().to_owned();
    let code = report_url.rsplit('/').next().unwrap().to_owned();
    client
        .get(format!("{}/api/support/v1/report/wrong", factory.url))
        .send()
        .await
        .unwrap();
    client
        .get(format!("{}/api/support/{key}/report/x", factory.url))
        .send()
        .await
        .unwrap();
    let res = client.get(&report_url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(factory.terminate().success());
    let log = factory.log();
    assert!(log.contains("listening on"), "the log was captured: {log}");
    // One access line per request: id, method, route template, status, latency, vendor.
    let order_line = log
        .lines()
        .find(|l| l.contains("POST /api/order 500"))
        .expect("access line for the failed order");
    assert!(
        order_line.contains("vendor=v1") && order_line.contains("ms"),
        "{order_line}"
    );
    assert!(
        log.contains("GET /api/support/{vendor}/report/{code} 200"),
        "report paths are logged as templates"
    );
    for secret in [admin, key.as_str(), new_key.as_str(), code.as_str()] {
        assert!(!log.contains(secret), "a secret reached the log:\n{log}");
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "configured-admin-key-0123456789abcdef0123456789";
    let client = reqwest::Client::new();
    let mut keys = Vec::new();
    for round in 0..3 {
        let mut factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", admin)]);
        let res = post(
            &client,
            &format!("{}/api/admin/vendors", factory.url),
            admin,
            json!({"id": format!("v{round}"), "name": "V"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        keys.push(
            res.json::<Value>().await.unwrap()["apiKey"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let res = post(
            &client,
            &format!("{}/api/admin/vendors/v{round}/chaos", factory.url),
            admin,
            json!({"mode": "badjwt", "start": "2030-01-01T00:00:00Z"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        factory.kill9();
    }
    let factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", admin)]);
    for (round, key) in keys.iter().enumerate() {
        let res = post(&client, &format!("{}/api/order", factory.url), key, order_body(&[1.0])).await;
        assert_eq!(res.status(), StatusCode::OK, "vendor v{round} survived");
        let v: Value = client
            .get(format!("{}/api/admin/vendors/v{round}", factory.url))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["chaos"]["state"], "scheduled", "chaos of v{round} survived");
    }
}

#[tokio::test]
async fn probe_tells_whether_a_factory_is_healthy() {
    let dir = tempfile::tempdir().unwrap();
    let factory = start(dir.path(), &[]);
    let port = factory.url.rsplit(':').next().unwrap().to_owned();
    let probe = |port: &str| {
        Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
            .env_clear()
            .args(["probe", "--port", port])
            .status()
            .unwrap()
            .success()
    };
    assert!(probe(&port));
    drop(factory);
    assert!(!probe(&port), "nothing listens there any more");
}

#[tokio::test]
async fn sigterm_lets_in_flight_orders_finish() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "configured-admin-key-0123456789abcdef0123456789";
    let mut factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", admin)]);
    let client = reqwest::Client::new();
    let key = create_vendor(&client, &factory.url, admin, "v1").await;
    let chaos = json!({"mode": "throttle", "start": "now", "params": {"delayMs": 1500}});
    post(
        &client,
        &format!("{}/api/admin/vendors/v1/chaos", factory.url),
        admin,
        chaos,
    )
    .await;
    let req = client
        .post(format!("{}/api/order", factory.url))
        .bearer_auth(&key)
        .json(&order_body(&[1.0]));
    let order = tokio::spawn(req.send());
    // Let the order reach its throttle before the signal.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = tokio::task::spawn_blocking(move || {
        let status = factory.terminate();
        (status, factory.log())
    });
    let res = order.await.unwrap().expect("answered, not cut off");
    assert_eq!(res.status(), StatusCode::OK, "the in-flight order was answered");
    let (status, log) = stopped.await.unwrap();
    assert!(status.success());
    assert!(log.contains("pizza factory stopped"), "clean stop: {log}");
}
