//! Deliveries: signed webhooks, the receiver's status deciding, the address guard at
//! delivery time, and email through SMTP.

use groundwork_jobs::signing;
use serde_json::json;

use crate::common::{builder, harness, receiver, smtp_server};

#[tokio::test]
async fn a_webhook_is_signed_and_retried_until_the_receiver_accepts_it() {
    let secret = "a webhook secret shared with the receiver";
    let h = harness(
        builder()
            .config("jobs.allow_private_targets", true)
            .config("jobs.webhook_secret", secret),
    )
    .await;
    let hook = receiver(&[500, 503]).await;
    let created = h
        .enqueue(&json!({"kind": "webhook", "payload": {
            "url": hook.url, "body": {"event": "signup", "user": 7},
            "headers": {"Authorization": "Bearer receiver-token"}}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_i64().unwrap();
    let done = h.wait_for_state(id, "succeeded").await;
    assert_eq!(done["attempts"], 3);
    assert!(
        done["lastError"].as_str().unwrap().contains("503"),
        "{done}"
    );

    let received = hook.received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    for (n, request) in received.iter().enumerate() {
        let header = |name: &str| request.headers[name].to_str().unwrap().to_owned();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
            json!({"event": "signup", "user": 7})
        );
        assert_eq!(header("content-type"), "application/json");
        assert_eq!(header("authorization"), "Bearer receiver-token");
        assert_eq!(header("x-groundwork-job"), id.to_string());
        assert_eq!(header("x-groundwork-attempt"), (n + 1).to_string());
        assert_eq!(header("idempotency-key"), format!("groundwork-job-{id}"));
        let now = chrono::Utc::now().timestamp();
        let signature = header("x-groundwork-signature");
        assert!(
            signing::verify(secret.as_bytes(), &signature, &request.body, now, 300),
            "{signature}"
        );
        assert!(!signing::verify(
            b"another secret",
            &signature,
            &request.body,
            now,
            300
        ));
    }
}

#[tokio::test]
async fn gone_is_final_and_exhausted_attempts_are_dead() {
    let h = harness(builder().config("jobs.allow_private_targets", true)).await;
    let gone = receiver(&[410]).await;
    let id = h
        .enqueue(&json!({"kind": "webhook", "payload": {"url": gone.url}}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let dead = h.wait_for_state(id, "dead").await;
    assert_eq!(dead["attempts"], 1, "410 Gone is not retried");
    assert!(dead["lastError"].as_str().unwrap().contains("410"));

    let failing = receiver(&[500, 500, 500]).await;
    let id = h
        .enqueue(&json!({"kind": "webhook", "payload": {"url": failing.url}, "maxAttempts": 2}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let dead = h.wait_for_state(id, "dead").await;
    assert_eq!(dead["attempts"], 2);
    assert!(
        dead["lastError"]
            .as_str()
            .unwrap()
            .contains("500 Internal Server Error: receiver says hi"),
        "{dead}"
    );
    assert_eq!(failing.count(), 2);
}

#[tokio::test]
async fn a_name_that_resolves_to_a_private_address_is_refused_at_delivery() {
    // `runsc`/`vm`-style names from /etc/hosts or any name pointing at 127.0.0.1 pass the
    // enqueue check (it does not resolve names) and must be stopped by the resolver.
    let h = harness(builder()).await;
    let hook = receiver(&[]).await;
    let port = hook
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/hook")
        .to_owned();
    let host = local_alias().expect("/etc/hosts maps some name other than localhost to 127.0.0.1");
    let url = format!("http://{host}:{port}/hook");
    let response = h
        .enqueue(&json!({"kind": "webhook", "payload": {"url": url}, "maxAttempts": 1}))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let id = response.json()["id"].as_i64().unwrap();
    let dead = h.wait_for_state(id, "dead").await;
    assert!(
        dead["lastError"]
            .as_str()
            .unwrap()
            .contains("no permitted address"),
        "{dead}"
    );
    assert_eq!(hook.count(), 0, "nothing reached the private address");
}

/// A host name other than `localhost` that resolves to loopback on this machine.
fn local_alias() -> Option<String> {
    let hosts = std::fs::read_to_string("/etc/hosts").ok()?;
    hosts.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let address = fields.next()?;
        if !address.starts_with("127.") {
            return None;
        }
        fields
            .find(|name| {
                !name.starts_with('#') && *name != "localhost" && !name.ends_with(".localhost")
            })
            .map(str::to_owned)
    })
}

#[tokio::test]
async fn email_goes_through_smtp_and_a_permanent_refusal_is_final() {
    let (smtp_url, mails) = smtp_server().await;
    let h = harness(
        builder()
            .config("jobs.smtp_url", &smtp_url)
            .config("jobs.email_from", "Groundwork <noreply@example.com>"),
    )
    .await;
    let sent = h
        .enqueue(&json!({"kind": "email", "payload": {
            "to": ["Ada <ada@example.com>"], "subject": "Your receipt",
            "text": "Thanks for your order.", "html": "<p>Thanks for your order.</p>"}}))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    let id = sent.json()["id"].as_i64().unwrap();
    assert_eq!(sent.json()["queue"], "email");
    h.wait_for_state(id, "succeeded").await;
    let mail = mails.lock().unwrap()[0].clone();
    assert_eq!(mail.from, "<noreply@example.com>");
    assert_eq!(mail.to, ["ada@example.com"]);
    assert!(mail.data.contains("Subject: Your receipt"));
    assert!(mail.data.contains("Thanks for your order."));
    assert!(
        mail.data
            .contains(&format!("Message-ID: <groundwork-job-{id}@example.com>")),
        "{}",
        mail.data
    );

    let refused = h
        .enqueue(&json!({"kind": "email", "payload": {
            "to": ["reject@example.com"], "subject": "Hello", "text": "Hi"}}))
        .await;
    let id = refused.json()["id"].as_i64().unwrap();
    let dead = h.wait_for_state(id, "dead").await;
    assert_eq!(dead["attempts"], 1, "a 5xx refusal is not retried");
    assert!(
        dead["lastError"].as_str().unwrap().contains("550"),
        "{dead}"
    );

    for (payload, field) in [
        (json!({"to": [], "subject": "s", "text": "t"}), "payload.to"),
        (
            json!({"to": ["not an address"], "subject": "s", "text": "t"}),
            "payload.to[0]",
        ),
        (
            json!({"to": ["a@example.com"], "subject": "two\nlines", "text": "t"}),
            "payload.subject",
        ),
        (json!({"to": ["a@example.com"], "subject": "s"}), "payload"),
    ] {
        let response = h
            .enqueue(&json!({"kind": "email", "payload": payload}))
            .await;
        assert_eq!(response.status, 422, "{payload}");
        assert!(
            response.text().contains(field),
            "{payload}: {}",
            response.text()
        );
    }
}
