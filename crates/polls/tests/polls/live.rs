//! `GET /polls/{id}/live` over real WebSockets.

use std::time::Duration;

use axum::http::Method;
use futures_util::{SinkExt, StreamExt};
use groundwork_platform::testing::{self, TestApp, TestDatabase};
use groundwork_polls::api::response::{LiveMessage, PollResponse};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn live(app: &TestApp, poll: uuid::Uuid) -> Socket {
    let url = format!("ws://{}/polls/{poll}/live", app.address);
    tokio_tungstenite::connect_async(url)
        .await
        .expect("connect")
        .0
}

/// The next live message within `wait`, or `None` if none came.
async fn next_message(socket: &mut Socket, wait: Duration) -> Option<LiveMessage> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(text) = frame {
            return Some(serde_json::from_str(text.as_str()).unwrap());
        }
    }
}

async fn next_tally(socket: &mut Socket) -> PollResponse {
    match next_message(socket, Duration::from_secs(5)).await {
        Some(LiveMessage::Tally { poll }) => poll,
        other => panic!("expected a tally, got {other:?}"),
    }
}

async fn close_code(socket: &mut Socket) -> Option<u16> {
    while let Ok(Some(Ok(frame))) =
        tokio::time::timeout(Duration::from_secs(5), socket.next()).await
    {
        if let Message::Close(frame) = frame {
            return frame.map(|f| u16::from(f.code));
        }
    }
    None
}

#[tokio::test]
async fn watchers_get_the_tallies_then_every_change_then_the_final_result() {
    let app = app().await;
    let owner = app.register_user().await;
    let poll = create_poll(&app, &owner, &["A", "B"], json!({})).await;
    let mut socket = live(&app, poll.id).await;
    assert_eq!(votes(&next_tally(&mut socket).await), [0, 0]);

    let token = voter_token(&app).await;
    vote_as(&app, Method::POST, &poll, &token, &[1]).await;
    assert_eq!(votes(&next_tally(&mut socket).await), [0, 1]);
    vote_as(&app, Method::PUT, &poll, &token, &[0]).await;
    assert_eq!(votes(&next_tally(&mut socket).await), [1, 0]);

    app.call(
        Method::POST,
        &format!("/polls/{}/close", poll.id),
        Some(&owner.access_token),
        None,
    )
    .await;
    match next_message(&mut socket, Duration::from_secs(5)).await {
        Some(LiveMessage::Closed { poll }) => {
            assert!(!poll.open);
            assert_eq!(votes(&poll), [1, 0]);
        }
        other => panic!("expected the final message, got {other:?}"),
    }
    assert_eq!(close_code(&mut socket).await, Some(1000));

    // A watcher arriving after the close gets the final result at once.
    let mut late = live(&app, poll.id).await;
    assert!(matches!(
        next_message(&mut late, Duration::from_secs(5)).await,
        Some(LiveMessage::Closed { .. })
    ));
}

#[tokio::test]
async fn a_burst_of_votes_is_coalesced_to_at_most_ten_messages_a_second() {
    let app = app().await;
    let owner = app.register_user().await;
    let poll = create_poll(&app, &owner, &["A", "B"], json!({})).await;
    let mut socket = live(&app, poll.id).await;
    next_tally(&mut socket).await;
    let mut tokens = Vec::new();
    for _ in 0..15 {
        tokens.push(voter_token(&app).await);
    }
    let started = tokio::time::Instant::now();
    futures_util::future::join_all(
        tokens
            .iter()
            .map(|t| vote_as(&app, Method::POST, &poll, t, &[0])),
    )
    .await;
    let mut messages = Vec::new();
    while let Some(LiveMessage::Tally { poll }) =
        next_message(&mut socket, Duration::from_millis(500)).await
    {
        messages.push((started.elapsed(), poll));
    }
    let last = &messages.last().expect("at least one update").1;
    assert_eq!(votes(last), [15, 0], "the last message has every vote");
    // The server sends at most one message per 100 ms, so the n-th message of the burst
    // leaves at least (n - 1) x 100 ms after the votes began, and arrives no earlier.
    // Delivery on a loaded machine may bunch them up (a late first message), so they are
    // counted against the time since the burst began, not against the gaps between them.
    let span = messages.last().unwrap().0;
    let allowed = 2 + (span.as_millis() / 100) as usize;
    assert!(
        messages.len() <= allowed,
        "{} messages in {span:?}",
        messages.len()
    );
    assert!(
        messages.len() < 15,
        "15 votes were coalesced ({} messages)",
        messages.len()
    );
}

#[tokio::test]
async fn a_timed_poll_sends_its_final_result_when_it_closes() {
    let app = app().await;
    let owner = app.register_user().await;
    let closes_at = chrono::Utc::now() + chrono::Duration::milliseconds(800);
    let poll = create_poll(&app, &owner, &["A", "B"], json!({"closesAt": closes_at})).await;
    let mut socket = live(&app, poll.id).await;
    assert!(next_tally(&mut socket).await.open);
    match next_message(&mut socket, Duration::from_secs(5)).await {
        Some(LiveMessage::Closed { poll }) => assert!(!poll.open),
        other => panic!("expected the final message, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_live_requests_get_clear_answers_and_the_server_stays_up() {
    let app = app().await;
    let owner = app.register_user().await;
    let missing = app
        .get(&format!("/polls/{}/live", uuid::Uuid::now_v7()))
        .await;
    missing.assert_problem(404, "not_found");
    let poll = create_poll(&app, &owner, &["A", "B"], json!({})).await;
    app.get(&format!("/polls/{}/live", poll.id))
        .await
        .assert_problem(426, "websocket_required");
    let mut binary = live(&app, poll.id).await;
    binary.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(close_code(&mut binary).await, Some(1003));
    let mut flood = live(&app, poll.id).await;
    for i in 0..100 {
        if flood.send(Message::text(format!("{i}"))).await.is_err() {
            break;
        }
    }
    assert_eq!(close_code(&mut flood).await, Some(1008));
    let mut fine = live(&app, poll.id).await;
    assert_eq!(votes(&next_tally(&mut fine).await), [0, 0]);
}

/// Two instances on one database and one pub/sub: a vote through one reaches the live
/// clients of the other.
async fn across_instances(pubsub: &[(&str, String)]) {
    let dir = tempfile::tempdir().unwrap();
    let (_database, url) = match testing::postgres_url() {
        Some(server) => {
            let (database, url) = TestDatabase::create(&server).await;
            (Some(database), url)
        }
        None => (
            None,
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("shared.db").display()
            ),
        ),
    };
    let spawn = || {
        let mut builder = builder()
            .config("database.url", &url)
            .config("auth.jwt_secret", "a shared secret of at least 32 bytes!!");
        for (key, value) in pubsub {
            builder = builder.config(key, value);
        }
        builder.spawn()
    };
    let one = spawn().await;
    let two = spawn().await;
    let owner = one.register_user().await;
    let poll = create_poll(&one, &owner, &["A", "B"], json!({})).await;
    let mut on_two = live(&two, poll.id).await;
    assert_eq!(votes(&next_tally(&mut on_two).await), [0, 0]);
    let token = voter_token(&one).await;
    vote_as(&one, Method::POST, &poll, &token, &[1]).await;
    assert_eq!(votes(&next_tally(&mut on_two).await), [0, 1]);
    one.call(
        Method::POST,
        &format!("/polls/{}/close", poll.id),
        Some(&owner.access_token),
        None,
    )
    .await;
    assert!(matches!(
        next_message(&mut on_two, Duration::from_secs(5)).await,
        Some(LiveMessage::Closed { .. })
    ));
}

#[tokio::test]
async fn votes_reach_live_clients_of_another_instance_through_redis() {
    let Some(url) = testing::redis_url() else {
        return;
    };
    let prefix = testing::unique_prefix("polls");
    across_instances(&[("redis.url", url), ("redis.key_prefix", prefix)]).await;
}

#[tokio::test]
async fn votes_reach_live_clients_of_another_instance_through_nats() {
    let Some(url) = testing::nats_url() else {
        return;
    };
    let prefix = testing::unique_prefix("polls");
    across_instances(&[("pubsub.nats_url", url), ("redis.key_prefix", prefix)]).await;
}
