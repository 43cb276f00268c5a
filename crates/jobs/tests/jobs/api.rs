//! The HTTP API: who may use it, what it refuses at enqueue, and the admin operations.

use axum::http::Method;
use serde_json::{Value, json};

use crate::common::{builder, harness};

#[tokio::test]
async fn only_administrators_may_use_the_api() {
    let h = harness(builder()).await;
    let user = h.app.register_user().await;
    let noop = json!({"kind": "noop"});
    for (method, path) in [
        (Method::POST, "/jobs"),
        (Method::GET, "/jobs"),
        (Method::GET, "/jobs/stats"),
        (Method::GET, "/jobs/1"),
        (Method::POST, "/jobs/1/retry"),
        (Method::POST, "/jobs/1/cancel"),
    ] {
        let anonymous = h.app.json(method.clone(), path, &noop).await;
        assert_eq!(anonymous.status, 401, "{method} {path}");
        let forbidden = h
            .app
            .json_authed(method.clone(), path, &user.access_token, &noop)
            .await;
        assert_eq!(forbidden.status, 403, "{method} {path}");
    }
}

#[tokio::test]
async fn a_noop_job_runs_and_its_record_tells_the_story() {
    let h = harness(builder()).await;
    let created = h
        .enqueue(&json!({"kind": "noop", "payload": {"failAttempts": 1}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.header("location").unwrap(), format!("/jobs/{id}"));
    // The worker may already have claimed it by the time the response is built.
    assert!(["queued", "running"].contains(&created.json()["state"].as_str().unwrap()));
    assert_eq!(created.json()["maxAttempts"], 3);
    let done = h.wait_for_state(id, "succeeded").await;
    assert_eq!(done["attempts"], 2);
    assert!(
        done["lastError"]
            .as_str()
            .unwrap()
            .contains("failing on purpose")
    );
    assert!(done["finishedAt"].is_string() && done["startedAt"].is_string());
    assert_eq!(done["worker"], Value::Null);
}

#[tokio::test]
async fn bad_enqueues_are_refused_with_the_field_named() {
    let h = harness(builder()).await;
    let cases = [
        (json!({"kind": "fax"}), "kind", "unknown_kind"),
        (
            json!({"kind": "email", "payload": {}}),
            "kind",
            "not_configured",
        ),
        (
            json!({"kind": "noop", "payload": {"sleepMs": 999_999}}),
            "payload.sleepMs",
            "out_of_range",
        ),
        (
            json!({"kind": "noop", "payload": {"extra": 1}}),
            "payload.extra",
            "invalid",
        ),
        (json!({"kind": "noop", "payload": []}), "payload", "invalid"),
        (
            json!({"kind": "noop", "queue": "no spaces"}),
            "queue",
            "invalid",
        ),
        (
            json!({"kind": "noop", "priority": 5000}),
            "priority",
            "out_of_range",
        ),
        (
            json!({"kind": "noop", "maxAttempts": 0}),
            "maxAttempts",
            "out_of_range",
        ),
        (
            json!({"kind": "noop", "uniqueKey": ""}),
            "uniqueKey",
            "invalid",
        ),
        (
            json!({"kind": "webhook", "payload": {"url": "ftp://example.com/x"}}),
            "payload.url",
            "invalid",
        ),
        (
            json!({"kind": "webhook", "payload": {"url": "not a url"}}),
            "payload.url",
            "invalid",
        ),
        (
            json!({"kind": "webhook", "payload": {"url": "https://user:pw@example.com/"}}),
            "payload.url",
            "invalid",
        ),
        (
            json!({"kind": "webhook", "payload": {"body": {}}}),
            "payload",
            "invalid",
        ),
        (
            json!({"kind": "webhook", "payload": {"url": "https://example.com/", "headers": {"Host": "evil"}}}),
            "payload.headers.Host",
            "reserved",
        ),
        (
            json!({"kind": "webhook", "payload": {"url": "https://example.com/", "headers": {"X-Ok": "line\nbreak"}}}),
            "payload.headers.X-Ok",
            "invalid",
        ),
        (
            json!({"kind": "webhook", "payload": {"url": "https://example.com/", "body": "x".repeat(70_000)}}),
            "payload",
            "too_large",
        ),
    ];
    for (body, field, code) in cases {
        let response = h.enqueue(&body).await;
        assert_eq!(response.status, 422, "{body}: {}", response.text());
        let errors = response.json()["errors"].clone();
        assert!(
            errors
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{body}: expected {field}/{code}, got {errors}"
        );
    }
    // Malformed JSON and a missing kind are the platform's 400/422, never a 500.
    let malformed = h
        .app
        .send(
            h.app
                .request(Method::POST, "/jobs")
                .bearer_auth(&h.admin.access_token)
                .header("content-type", "application/json")
                .body("{\"kind\":"),
        )
        .await;
    assert_eq!(malformed.status, 400, "{}", malformed.text());
    let missing = h.enqueue(&json!({"payload": {}})).await;
    assert_eq!(missing.status, 422, "{}", missing.text());
    let stats = h.get("/jobs/stats").await.json();
    assert_eq!(stats["queues"], json!([]), "nothing was enqueued");
}

#[tokio::test]
async fn webhook_targets_on_private_networks_are_refused_at_enqueue() {
    let h = harness(builder()).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.8/hook",
        "http://[::1]/hook",
        "http://localhost:8080/hook",
        "http://api.localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
    ] {
        let response = h
            .enqueue(&json!({"kind": "webhook", "payload": {"url": url}}))
            .await;
        assert_eq!(response.status, 422, "{url}");
        assert_eq!(
            response.json()["errors"][0]["code"],
            "refused_target",
            "{url}"
        );
    }

    // With private targets allowed (local development), loopback is fine but the
    // metadata address is still refused.
    let open = harness(builder().config("jobs.allow_private_targets", true)).await;
    let loopback = open
        .enqueue(&json!({"kind": "webhook", "payload": {"url": "http://127.0.0.1:9/hook"}}))
        .await;
    assert_eq!(loopback.status, 201);
    let metadata = open
        .enqueue(&json!({"kind": "webhook", "payload": {"url": "http://169.254.169.254/"}}))
        .await;
    assert_eq!(metadata.status, 422);
}

#[tokio::test]
async fn a_unique_key_returns_the_pending_job_instead_of_a_second_one() {
    let h = harness(builder()).await;
    let body = json!({"kind": "noop", "payload": {"sleepMs": 60_000}, "uniqueKey": "nightly-report",
        "runAt": "2999-01-01T00:00:00Z"});
    let first = h.enqueue(&body).await;
    assert_eq!(first.status, 201);
    let second = h.enqueue(&body).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.json()["id"], first.json()["id"]);
    let listed = h.get("/jobs").await.json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["data"][0]["runAt"], "2999-01-01T00:00:00Z");
}

#[tokio::test]
async fn listing_filters_by_state_queue_and_kind_and_pages() {
    let h = harness(builder()).await;
    let later = json!("2999-01-01T00:00:00Z");
    for queue in ["a", "a", "b"] {
        let response = h
            .enqueue(&json!({"kind": "noop", "queue": queue, "runAt": later}))
            .await;
        assert_eq!(response.status, 201);
    }
    let ran = h
        .enqueue(&json!({"kind": "noop", "queue": "b"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    h.wait_for_state(ran, "succeeded").await;

    let page = |q: &str| format!("/jobs?{q}");
    assert_eq!(h.get(&page("queue=a")).await.json()["total"], 2);
    assert_eq!(
        h.get(&page("queue=b&state=queued")).await.json()["total"],
        1
    );
    assert_eq!(h.get(&page("state=succeeded")).await.json()["total"], 1);
    assert_eq!(h.get(&page("kind=webhook")).await.json()["total"], 0);
    let paged = h.get(&page("limit=2&page=2")).await.json();
    assert_eq!(
        (
            paged["total"].as_u64(),
            paged["data"].as_array().unwrap().len()
        ),
        (Some(4), 2)
    );
    let newest_first = h.get(&page("limit=1")).await.json();
    assert_eq!(newest_first["data"][0]["id"], ran);
    for bad in ["state=sleeping", "queue=has%20space", "limit=0", "page=0"] {
        assert_eq!(h.get(&page(bad)).await.status, 422, "{bad}");
    }

    let stats = h.get("/jobs/stats").await.json();
    let b = stats["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["queue"] == "b")
        .unwrap()
        .clone();
    assert_eq!(
        (
            b["queued"].as_u64(),
            b["succeeded"].as_u64(),
            b["due"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(stats["kinds"], json!(["webhook", "email", "noop"]));
}

#[tokio::test]
async fn retry_and_cancel_answer_clearly_in_every_state() {
    let h = harness(builder()).await;
    let dies = h
        .enqueue(&json!({"kind": "noop", "payload": {"failAttempts": 5}, "maxAttempts": 1}))
        .await;
    let dies = dies.json()["id"].as_i64().unwrap();
    let dead = h.wait_for_state(dies, "dead").await;
    assert!(
        dead["lastError"]
            .as_str()
            .unwrap()
            .contains("failing on purpose")
    );

    let cancel_dead = h.post(&format!("/jobs/{dies}/cancel")).await;
    assert_eq!(
        (
            cancel_dead.status.as_u16(),
            cancel_dead.json()["code"].clone()
        ),
        (409, json!("already_finished"))
    );
    let retried = h.post(&format!("/jobs/{dies}/retry")).await;
    assert_eq!(retried.status, 200, "{}", retried.text());
    assert_eq!(retried.json()["attempts"], 0);
    h.wait_for_state(dies, "dead").await;

    let waiting = h
        .enqueue(&json!({"kind": "noop", "runAt": "2999-01-01T00:00:00Z"}))
        .await;
    let waiting = waiting.json()["id"].as_i64().unwrap();
    let retry_queued = h.post(&format!("/jobs/{waiting}/retry")).await;
    assert_eq!(
        (
            retry_queued.status.as_u16(),
            retry_queued.json()["code"].clone()
        ),
        (409, json!("not_dead"))
    );
    let cancelled = h.post(&format!("/jobs/{waiting}/cancel")).await;
    assert_eq!(
        (cancelled.status.as_u16(), cancelled.json()["state"].clone()),
        (200, json!("cancelled"))
    );

    let running = h
        .enqueue(&json!({"kind": "noop", "payload": {"sleepMs": 30_000}}))
        .await;
    let running = running.json()["id"].as_i64().unwrap();
    h.wait_for_state(running, "running").await;
    let requested = h.post(&format!("/jobs/{running}/cancel")).await;
    assert_eq!(requested.status, 202);
    assert_eq!(requested.json()["cancelRequested"], true);
    let stopped = h.wait_for_state(running, "cancelled").await;
    assert_eq!(stopped["attempts"], 1);

    for path in [
        "/jobs/999999",
        "/jobs/abc",
        "/jobs/999999/retry",
        "/jobs/999999/cancel",
    ] {
        let response = if path.ends_with("retry") || path.ends_with("cancel") {
            h.post(path).await
        } else {
            h.get(path).await
        };
        assert_eq!(response.status, 404, "{path}");
    }
}

#[tokio::test]
async fn concurrent_enqueues_with_one_unique_key_make_one_job() {
    let h = harness(builder()).await;
    let body = json!({"kind": "noop", "uniqueKey": "once", "runAt": "2999-01-01T00:00:00Z"});
    let requests = (0..10).map(|_| h.enqueue(&body));
    let responses = futures_util::future::join_all(requests).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1);
    assert!(responses.iter().all(|r| r.status == 200 || r.status == 201));
    let ids: std::collections::HashSet<_> =
        responses.iter().map(|r| r.json()["id"].clone()).collect();
    assert_eq!(ids.len(), 1);
}
