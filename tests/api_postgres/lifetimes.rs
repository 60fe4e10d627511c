//! Deleting a vendor on one instance ends chaos another instance created, in the store itself,
//! so a vendor created again under that id is served everywhere (issue 10, item 6).

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::instances::{Cluster, cluster};

/// The first answer instance `i` gives the vendor's key once it knows the key at all.
async fn first_order(c: &Cluster, i: usize, key: &str) -> StatusCode {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let status = c.order(i, key).await;
        if status != StatusCode::UNAUTHORIZED || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn deleting_a_vendor_ends_chaos_another_instance_created() {
    let c = cluster();
    c.vendor_everywhere(0, "v2").await;
    // Chaos through B, and the delete through A at once: A's memory may not show the chaos yet.
    let (status, incident) = c
        .post_admin(
            1,
            "/api/admin/vendors/v2/chaos",
            json!({"mode": "fail", "start": "now"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let (status, _) = c.admin(0, Method::DELETE, "/api/admin/vendors/v2", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let id = incident["id"].as_str().unwrap();
    let stored = c.incident(2, id).await;
    assert_eq!(
        (stored["state"].clone(), stored["resolvedBy"].clone()),
        (json!("resolved"), json!("admin")),
        "the store ended it with the vendor: {stored}"
    );
    let (status, halted) = c
        .post_admin(0, "/api/admin/chaos/halt", json!({"reason": "after the delete"}))
        .await;
    assert_eq!(
        (status, halted),
        (StatusCode::OK, json!({"halted": 0, "pausedUntil": null})),
        "nothing left open"
    );
    let key = c.create_vendor(0, "v2").await;
    for i in [0, 1] {
        assert_eq!(first_order(&c, i, &key).await, StatusCode::OK, "instance {i}");
    }
    let (status, open) = c.admin(2, Method::GET, "/api/admin/incidents?state=active", None).await;
    assert_eq!((status, open), (StatusCode::OK, json!([])));
}
