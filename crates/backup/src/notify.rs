//! `--notify-slack`: the outcome of a run, posted to a Slack incoming webhook. A notification
//! that cannot be delivered is reported on stderr; it never changes the run's outcome.

use std::time::Duration;

/// Posts `{"text": ...}` to the webhook.
pub async fn slack(url: &str, text: &str) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("dbbackup: cannot notify Slack: {}", describe(&error));
            return;
        }
    };
    let sent = client
        .post(url)
        .json(&serde_json::json!({ "text": text }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status);
    if let Err(error) = sent {
        eprintln!(
            "dbbackup: could not notify Slack ({}): {}",
            host_of(url),
            describe(&error)
        );
    }
}

/// What went wrong, without reqwest's message, which names the URL (and a webhook's path
/// is its secret).
fn describe(error: &reqwest::Error) -> String {
    if let Some(status) = error.status() {
        format!("the webhook answered {status}")
    } else if error.is_timeout() {
        "no answer within 10 s".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// The webhook's host, for messages (the path of a Slack webhook is its secret).
fn host_of(url: &str) -> &str {
    url.split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("the webhook")
}
