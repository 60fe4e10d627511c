//! Scenarios: the library's drills, the file format's errors, and campaigns applied over HTTP.

use std::path::Path;

use pizza_factory::drill::{DrillOutcome, run_in_process};
use pizza_factory::scenario::{self, parse};
use serde_json::json;

/// Runs a drill with a bound on real time, so a stuck drill fails instead of hanging.
async fn drill(s: &scenario::Scenario, seed: u64) -> DrillOutcome {
    tokio::time::timeout(std::time::Duration::from_secs(30), run_in_process(s, seed, None))
        .await
        .unwrap_or_else(|_| panic!("drill {} hung", s.name))
        .unwrap_or_else(|e| panic!("drill {} did not run: {e}", s.name))
}

#[tokio::test]
async fn every_scenario_in_the_library_loads_and_its_drill_meets_its_expectations() {
    let (scenarios, errors) = scenario::load_dir(Path::new("scenarios"));
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    for needed in [
        "2024-11-27-factory-fail",
        "throttle",
        "badjwt",
        "flaky-circuit-breaker",
        "expiredjwt",
        "overload",
        "semester-campaign",
    ] {
        assert!(names.contains(&needed), "{needed} missing from {names:?}");
    }
    for s in &scenarios {
        assert!(s.teaches.len() > 80, "{} says what it teaches", s.name);
        assert!(!s.expect.is_empty(), "{} expects something", s.name);
        for seed in [1, 2] {
            let outcome = drill(s, seed).await;
            assert!(outcome.passed(), "{} with seed {seed}:\n{}", s.name, outcome.render());
        }
    }
}

#[tokio::test]
async fn the_real_incident_replays_with_its_own_figures() {
    let s = parse::load(Path::new("scenarios/2024-11-27-factory-fail.toml")).unwrap();
    let started = std::time::Instant::now();
    let outcome = drill(&s, 42).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let incident = &outcome.observed.incidents[0];
    assert_eq!(incident["startedAt"], "2024-11-27T21:02:46.000Z");
    assert_eq!(incident["resolvedAt"], "2024-11-27T21:11:14.000Z");
    assert_eq!(incident["firstFailureAt"], "2024-11-27T21:03:16.000Z");
    assert_eq!(
        incident["stats"],
        json!({"ordersAffected": 8, "ordersFailed": 8, "lostRevenue": 0.4, "ordersSucceeded": 0, "wrongFixCodes": 0, "secondsToResolve": 508})
    );
    let printed = outcome.render();
    for needle in [
        "8 minutes 28 seconds",
        "8 of 8 attempted (100%)",
        "0.4 ₿",
        "500 Internal Server Error",
    ] {
        assert!(printed.contains(needle), "{needle}:\n{printed}");
    }
    assert_eq!(printed.matches("ok   ").count(), s.expect.len());
}

#[tokio::test]
async fn an_unmet_expectation_is_reported_and_fails_the_drill() {
    let text = std::fs::read_to_string("scenarios/2024-11-27-factory-fail.toml")
        .unwrap()
        .replace("orders_failed = 8", "orders_failed = 7");
    let s = parse::parse(Path::new("wrong.toml"), &text).unwrap();
    let outcome = drill(&s, 1).await;
    assert!(!outcome.passed());
    assert!(outcome.render().contains("FAIL ordersFailed: expected 7, got 8"));
}

#[tokio::test]
async fn the_same_seed_draws_the_same_chaos() {
    let s = parse::load(Path::new("scenarios/semester-campaign.toml")).unwrap();
    let starts = |o: &DrillOutcome| -> Vec<String> {
        o.observed
            .incidents
            .iter()
            .map(|i| format!("{} {}", i["mode"], i["startedAt"]))
            .collect()
    };
    let a = starts(&drill(&s, 11).await);
    assert_eq!(a, starts(&drill(&s, 11).await));
    assert_ne!(a, starts(&drill(&s, 12).await));
    let flaky = parse::load(Path::new("scenarios/flaky-circuit-breaker.toml")).unwrap();
    let failed = |o: &DrillOutcome| o.observed.incidents[0]["stats"]["ordersFailed"].clone();
    assert_eq!(failed(&drill(&flaky, 5).await), failed(&drill(&flaky, 5).await));
}

fn error_of(text: &str) -> String {
    parse::parse(Path::new("scenarios/broken.toml"), text)
        .unwrap_err()
        .to_string()
}

#[test]
fn broken_files_name_the_file_the_line_and_the_problem() {
    let cases = [
        ("[chaos]\nmode = \"fail\"\nstart = \"+2m\n", "broken.toml:3:", "string"),
        (
            "[chaos]\nmode = \"explode\"\n",
            "broken.toml:2:",
            "unknown chaos mode \"explode\"",
        ),
        (
            "[chaos]\nmode = \"fail\"\ncolour = \"red\"\n",
            "broken.toml:3:",
            "colour",
        ),
        (
            "[chaos]\nmode = \"fail\"\nstart = \"in a bit\"\n",
            "broken.toml:3:",
            "chaos.start",
        ),
        (
            "[chaos]\nmode = \"fail\"\nstart = 2024-11-27T14:02:46\n",
            "broken.toml:3:",
            "needs chaos.tz",
        ),
        (
            "[chaos]\nmode = \"fail\"\nmax_duration = \"4 hours\"\n",
            "broken.toml:3:",
            "not a duration",
        ),
        (
            "[chaos]\nmode = \"fail\"\n[chaos.params]\ndelay_ms = 5\n",
            "broken.toml:3:",
            "delay_ms applies to none",
        ),
        ("[chaos]\nmodes = { fail = 0 }\n", "broken.toml:2:", "weight"),
        (
            "[chaos]\nmode = \"fail\"\n[chaos.window]\nfrom = \"8am\"\nto = \"14:00\"\ntz = \"America/Denver\"\n",
            "broken.toml:4:",
            "chaos.window.from",
        ),
        (
            "[chaos]\nmode = \"fail\"\n[chaos.window]\nfrom = \"08:00\"\nto = \"14:00\"\ntz = \"Mars/Olympus\"\n",
            "broken.toml:6:",
            "IANA",
        ),
        (
            "[chaos]\nmode = \"fail\"\n[chaos.window]\nfrom = \"08:00\"\nto = \"14:00\"\ntz = \"UTC\"\ndays = [\"funday\"]\n",
            "broken.toml:7:",
            "not a day of the week",
        ),
        (
            "[chaos]\nmode = \"fail\"\n\n[[orders]]\nvendor = \"nobody\"\nat = [\"+1m\"]\nitems = [{ price = 1.0 }]\n",
            "broken.toml:5:",
            "not one of the scenario's vendors",
        ),
        (
            "[chaos]\nmode = \"fail\"\n\n[[orders]]\nevery = \"1m\"\nitems = [{ price = 1.0 }]\n",
            "broken.toml:5:",
            "needs until or count",
        ),
        (
            "[chaos]\nmode = \"fail\"\n\n[[orders]]\nat = [\"+1m\"]\nitems = [{ price = -1.0 }]\n",
            "broken.toml:6:",
            "price",
        ),
        (
            "[chaos]\nmode = \"fail\"\n[resolve]\nby = \"magic\"\n",
            "broken.toml:4:",
            "use report, admin or never",
        ),
        (
            "[chaos]\nmode = \"fail\"\n[resolve]\nby = \"report\"\n",
            "broken.toml:4:",
            "needs resolve.after",
        ),
        (
            "[chaos]\nmode = \"fail\"\n[expect]\norders_failed = \"many\"\n",
            "broken.toml:4:",
            "expect.orders_failed",
        ),
        (
            "[chaos]\nmode = \"fail\"\n[expect]\nvibes = 3\n",
            "broken.toml:4:",
            "unknown expectation \"vibes\"",
        ),
        ("description = \"no chaos\"\n", "broken.toml", "chaos"),
    ];
    for (text, place, problem) in cases {
        let e = error_of(text);
        assert!(e.starts_with(&format!("scenarios/{place}")), "{e:?} for {text:?}");
        assert!(e.contains(problem), "{e:?} lacks {problem:?}");
    }
}

#[test]
fn the_drill_command_prints_its_seed_reports_and_verdicts_and_exits_by_them() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
            .arg("drill")
            .args(args)
            .env_remove("FACTORY_SEED")
            .output()
            .expect("binary runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        (out.status.code(), text)
    };
    let (code, text) = run(&["scenarios/2024-11-27-factory-fail.toml", "--seed", "9"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("seed 9"), "{text}");
    assert!(
        text.contains("## Impact") && text.contains("9 of 9 expectations met"),
        "{text}"
    );

    let (code, text) = run(&["scenarios/overload.toml"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(", seed "), "a drawn seed is printed too: {text}");

    let dir = tempfile::tempdir().unwrap();
    let unmet = dir.path().join("unmet.toml");
    std::fs::write(&unmet, "[chaos]\nmode = \"fail\"\n[expect]\norders_failed = 1\n").unwrap();
    let (code, text) = run(&[unmet.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("FAIL ordersFailed"), "{text}");

    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[chaos]\nmode = \"fail\"\n\nstart = \"soon\"\n").unwrap();
    let (code, text) = run(&[broken.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("broken.toml:4: chaos.start"), "{text}");

    let (code, text) = run(&["scenarios/semester-campaign.toml", "--check"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("fail (weight 2)"), "{text}");
}

/// The one drill that runs in real time: a few seconds against the real binary.
#[tokio::test]
async fn a_live_drill_runs_against_a_running_factory_with_vendors_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "live-drill-admin-key-0123456789abcdef0123456789";
    let mut factory = crate::process::start(&dir.path().join("data"), &[("FACTORY_ADMIN_KEY", admin)]);
    let text = live_drill(
        &factory,
        dir.path(),
        admin,
        "vendors = [\"team7\"]\n[chaos]\nmode = \"fail\"\nstart = \"+1s\"\n\
         [[orders]]\nat = [\"+0s\", \"+1s\"]\nitems = [{ price = 0.5 }]\n\
         [resolve]\nby = \"report\"\nafter = \"2s\"\n\
         [expect]\norders_failed = 2\nlost_revenue = 1.0\nstate = \"resolved\"\nresolved_by = \"report\"\nstatuses = [500]\n",
    )
    .await;
    assert!(text.contains("5 of 5 expectations met"), "{text}");
    assert!(text.contains("chaos on vendor `team7-drill-"), "{text}");

    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", factory.url)).bearer_auth(admin).send();
    let vendors: serde_json::Value = get("/api/admin/vendors").await.unwrap().json().await.unwrap();
    assert_eq!(
        vendors.as_array().unwrap().len(),
        1,
        "the drill's vendor is gone: {vendors}"
    );
    let listed: serde_json::Value = get("/api/admin/incidents").await.unwrap().json().await.unwrap();
    assert_eq!(
        listed,
        serde_json::json!([]),
        "a drill's incident is left out of the class's list"
    );
    let incidents: serde_json::Value = get("/api/admin/incidents?includeVoided=true")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        incidents[0]["stats"]["ordersFailed"], 2,
        "its incident stays: {incidents}"
    );
    assert_eq!(incidents[0]["drill"], true, "and is marked as a drill's: {incidents}");
    factory.terminate();
}

/// Runs `pizza-factory drill --url` with `scenario` against a running factory; asserts that it
/// exits 0 and returns what it printed.
pub async fn live_drill(factory: &crate::process::Factory, dir: &Path, admin: &'static str, scenario: &str) -> String {
    let file = dir.join("live.toml");
    std::fs::write(&file, scenario).unwrap();
    let url = factory.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
            .args(["drill", file.to_str().unwrap(), "--url", &url, "--admin-key", admin])
            .env_remove("FACTORY_ADMIN_KEY")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    text
}
