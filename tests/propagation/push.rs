//! Changes pushed between instances (issue 16, part 1): three instances on one database see
//! each other's changes within 50 ms through LISTEN/NOTIFY, a key created on one works on the
//! others at once, and a flood of random keys costs the store a bounded number of reads.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

/// The bound on propagation, at p99.
const PUSHED: Duration = Duration::from_millis(50);
/// How long a test waits for something before calling it lost.
const GIVE_UP: Duration = Duration::from_secs(2);

/// Instance A and two others on the same database and clock.
async fn three() -> (TestApp, TestApp, TestApp) {
    let a = spawn_app().await;
    let b = a.another_instance().await;
    let c = a.another_instance().await;
    (a, b, c)
}

/// How long until `check` holds, polled as fast as requests go; fails after `GIVE_UP`.
async fn until<F, Fut>(what: &str, check: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < GIVE_UP, "{what}: not within {GIVE_UP:?}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    started.elapsed()
}

/// How long until both other instances show what `check` tests.
async fn on_both<'a, F, Fut>(b: &'a TestApp, c: &'a TestApp, what: &str, check: F) -> Duration
where
    F: Fn(&'a TestApp) -> Fut + Copy,
    Fut: Future<Output = bool>,
{
    let (tb, tc) = tokio::join!(until(what, || check(b)), until(what, || check(c)));
    tb.max(tc)
}

async fn order_is(app: &TestApp, key: &str, want: StatusCode) -> bool {
    app.order(key).await.status() == want
}

async fn vendor_listed(app: &TestApp, id: &str) -> bool {
    let (status, _) = app.admin(Method::GET, &format!("/api/admin/vendors/{id}"), None).await;
    status == StatusCode::OK
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_change_reaches_the_other_instances_within_50_ms_at_p99() {
    let _alone = crate::alone().await;
    let (a, b, c) = three().await;
    let kinds = [
        "vendor created",
        "key rotated",
        "chaos started",
        "chaos ended",
        "resolved",
        "halted",
    ];
    let mut timings: Vec<(usize, Duration)> = Vec::new();
    for round in 0..17 {
        let id = format!("p{round}");
        let key = a.create_vendor(&id).await;
        let t = on_both(&b, &c, kinds[0], |app| vendor_listed(app, &id)).await;
        timings.push((0, t));

        let (status, body) = a
            .admin(
                Method::POST,
                &format!("/api/admin/vendors/{id}/apikey"),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let t = on_both(&b, &c, kinds[1], |app| order_is(app, &key, StatusCode::UNAUTHORIZED)).await;
        timings.push((1, t));
        let key = body["apiKey"].as_str().unwrap().to_owned();

        let start_chaos = || a.chaos(&id, json!({"mode": "fail", "start": "now"}));
        start_chaos().await;
        let t = on_both(&b, &c, kinds[2], |app| {
            order_is(app, &key, StatusCode::INTERNAL_SERVER_ERROR)
        })
        .await;
        timings.push((2, t));

        let (status, body) = a
            .admin(Method::DELETE, &format!("/api/admin/vendors/{id}/chaos"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let t = on_both(&b, &c, kinds[3], |app| order_is(app, &key, StatusCode::OK)).await;
        timings.push((3, t));

        start_chaos().await;
        on_both(&b, &c, "chaos again", |app| {
            order_is(app, &key, StatusCode::INTERNAL_SERVER_ERROR)
        })
        .await;
        let (_, failed) = a.order_json(&key, &[1.0]).await;
        let report = failed["reportUrl"].as_str().unwrap().split_once("/api/").unwrap().1;
        let (_, body) = a.json(Method::POST, &format!("/api/{report}"), None, None).await;
        assert_eq!(body["message"], "Problem resolved. Pizza is back on the menu!");
        let t = on_both(&b, &c, kinds[4], |app| order_is(app, &key, StatusCode::OK)).await;
        timings.push((4, t));

        start_chaos().await;
        on_both(&b, &c, "chaos again", |app| {
            order_is(app, &key, StatusCode::INTERNAL_SERVER_ERROR)
        })
        .await;
        let (status, body) = a
            .admin(Method::POST, "/api/admin/chaos/halt", Some(json!({"reason": "drill"})))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let t = on_both(&b, &c, kinds[5], |app| order_is(app, &key, StatusCode::OK)).await;
        timings.push((5, t));
    }
    for (k, kind) in kinds.iter().enumerate() {
        let mut of_kind: Vec<Duration> = timings.iter().filter(|(i, _)| *i == k).map(|(_, t)| *t).collect();
        of_kind.sort();
        println!(
            "{kind:>15}: n={} p50={:?} p99={:?} max={:?}",
            of_kind.len(),
            percentile(&of_kind, 0.5),
            percentile(&of_kind, 0.99),
            of_kind.last().unwrap()
        );
    }
    let mut all: Vec<Duration> = timings.iter().map(|(_, t)| *t).collect();
    all.sort();
    let p99 = percentile(&all, 0.99);
    println!("all {} changes: p50={:?} p99={p99:?}", all.len(), percentile(&all, 0.5));
    assert!(p99 <= PUSHED, "p99 {p99:?} over {PUSHED:?}: {all:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_created_on_one_instance_orders_on_another_at_once() {
    let _alone = crate::alone().await;
    let (a, b, c) = three().await;
    for n in 0..50 {
        let key = a.create_vendor(&format!("fresh{n}")).await;
        let other = if n % 2 == 0 { &b } else { &c };
        let (status, body) = other.order_json(&key, &[0.5]).await;
        assert_eq!(status, StatusCode::OK, "order {n}, the first of its key: {body}");
        // Every authenticated route knows it too, not only the order path.
        let (status, me) = other.json(Method::GET, "/api/vendor", Some(&key), None).await;
        assert_eq!((status, me["id"].clone()), (StatusCode::OK, json!(format!("fresh{n}"))));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_vendors_key_is_refused_on_the_others_and_stays_refused() {
    let _alone = crate::alone().await;
    let (a, b, c) = three().await;
    for n in 0..10 {
        let id = format!("gone{n}");
        let key = a.create_vendor(&id).await;
        // B learns the key by looking it up (or by the notification, whichever is first).
        assert_eq!(b.order(&key).await.status(), StatusCode::OK);
        let (status, _) = a.admin(Method::DELETE, &format!("/api/admin/vendors/{id}"), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let t = on_both(&b, &c, "deleted vendor refused", |app| {
            order_is(app, &key, StatusCode::UNAUTHORIZED)
        })
        .await;
        // One change, not the p99 of a hundred: a little slack for a busy machine.
        assert!(t <= PUSHED * 3, "refused only after {t:?}");
        // Neither a lookup nor the cache of unknown keys brings it back.
        for app in [&b, &c, &a] {
            for _ in 0..5 {
                assert_eq!(app.order(&key).await.status(), StatusCode::UNAUTHORIZED);
            }
        }
    }
}

/// The listening connection of `app` in `pg_stat_activity`, by its application name.
async fn listener_pid(db: &tokio_postgres::Client, app: &TestApp) -> Option<i32> {
    let port = app.url.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let name = pizza_factory::changes::application_name(port);
    db.query_opt(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
        &[&name],
    )
    .await
    .unwrap()
    .map(|r| r.get(0))
}

async fn connect(app: &TestApp) -> tokio_postgres::Client {
    let url = app.config.database_url.clone().unwrap();
    let (db, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_listener_reconnects_and_catches_up() {
    let _alone = crate::alone().await;
    let (a, b, _c) = three().await;
    let db = connect(&b).await;
    let old = listener_pid(&db, &b)
        .await
        .expect("B listens on a connection of its own");
    let key = a.create_vendor("before").await;
    until("vendor served on B", || order_is(&b, &key, StatusCode::OK)).await;

    let killed: bool = db
        .query_one("SELECT pg_terminate_backend($1)", &[&old])
        .await
        .unwrap()
        .get(0);
    assert!(killed);
    // Changes while B's listener is down: a vendor, and chaos for the one B knows.
    a.create_vendor("meanwhile").await;
    a.chaos("before", json!({"mode": "fail", "start": "now"})).await;
    until("vendor created meanwhile listed on B", || {
        vendor_listed(&b, "meanwhile")
    })
    .await;
    until("chaos started meanwhile bites on B", || {
        order_is(&b, &key, StatusCode::INTERNAL_SERVER_ERROR)
    })
    .await;
    let new = until("B listens again", || async {
        listener_pid(&db, &b).await.is_some_and(|pid| pid != old)
    })
    .await;
    println!("B listened again {new:?} after the changes were seen");

    // Pushed again, not polled: a poll every 250 ms would miss 50 ms most of the time.
    let mut slow = Vec::new();
    for n in 0..10 {
        let id = format!("after{n}");
        a.create_vendor(&id).await;
        let t = until("vendor listed on B", || vendor_listed(&b, &id)).await;
        if t > PUSHED * 2 {
            slow.push(t);
        }
    }
    assert!(slow.len() <= 1, "changes after the reconnect came late: {slow:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_keys_cost_the_store_a_bounded_number_of_reads() {
    let _alone = crate::alone().await;
    let (_a, b, _c) = three().await;
    let before = b.factory.store.calls();
    let started = Instant::now();
    for n in 0..1_000 {
        let key = format!("random-key-{n:04}-{}", uuid::Uuid::new_v4().simple());
        assert_eq!(b.order(&key).await.status(), StatusCode::UNAUTHORIZED);
    }
    let calls = b.factory.store.calls() - before;
    // Besides, every tick (four a second) the background tasks ask: the change version, the
    // counter flush, the event poller, the webhook worker's claim and its count (as hot_path's
    // allowance).
    let ticks = (started.elapsed().as_millis() / 250 + 2) as u64;
    println!("1,000 random keys: {calls} store calls in {:?}", started.elapsed());
    assert!(calls <= 50 + 7 * ticks, "{calls} store calls");
    let lookup = b.factory.key_lookup.as_ref().expect("a shared store looks keys up");
    let remembered = lookup.remembered();
    assert!((1..=50).contains(&remembered), "{remembered} unknown keys remembered");

    // A key just found unknown costs nothing when it comes again (the manual clock stands
    // still, so it is still remembered); the order path stays in memory.
    let repeated = "random-key-again-0123456789abcdef";
    b.advance(1);
    assert_eq!(b.order(repeated).await.status(), StatusCode::UNAUTHORIZED);
    let before = b.factory.store.calls();
    for _ in 0..200 {
        assert_eq!(b.order(repeated).await.status(), StatusCode::UNAUTHORIZED);
    }
    let calls = b.factory.store.calls() - before;
    assert!(calls <= 10, "{calls} store calls for one remembered key");
}
