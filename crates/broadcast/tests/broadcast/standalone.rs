//! `broadcast-server start`'s server, driven over real sockets.

use std::time::Duration;

use futures_util::SinkExt;
use groundwork_broadcast::BroadcastSettings;
use groundwork_broadcast::protocol::ServerEvent;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

#[tokio::test]
async fn every_client_in_the_room_gets_every_line_and_other_rooms_do_not() {
    let server = start(BroadcastSettings::default()).await;
    let mut alice = connect(&format!("{}/?name=alice", server.url)).await;
    let mut bob = connect(&format!("{}/ws?name=bob", server.url)).await;
    let mut elsewhere = connect(&format!("{}/?name=carol&room=other", server.url)).await;
    say(&mut alice, "hello").await;
    say(&mut bob, "hi alice").await;
    for socket in [&mut alice, &mut bob] {
        assert_eq!(
            next_line(socket).await,
            ("alice".into(), "hello".into(), false)
        );
        assert_eq!(
            next_line(socket).await,
            ("bob".into(), "hi alice".into(), false)
        );
    }
    say(&mut elsewhere, "anyone?").await;
    assert_eq!(next_line(&mut elsewhere).await.1, "anyone?");
    // Alice sees bob leave, and nothing from the other room.
    drop(bob);
    loop {
        match next_event(&mut alice).await {
            ServerEvent::Leave(who) => {
                assert_eq!(who.from, "bob");
                break;
            }
            ServerEvent::Message(line) => panic!("unexpected line {line:?}"),
            _ => {}
        }
    }
    server.shutdown.cancel();
}

#[tokio::test]
async fn a_burst_of_lines_reaches_every_client_complete_and_in_order() {
    // 300 lines of 100 bytes sent in one write: the server publishes them back to back,
    // and each session writes what is waiting for its client in batches larger than the
    // socket's write buffer. Every client must still get every line once, in order.
    let server = start(BroadcastSettings {
        history: 0,
        messages_per_second: 1000,
        ..BroadcastSettings::default()
    })
    .await;
    let mut sender = connect(&format!("{}/?name=sender", server.url)).await;
    let mut receivers = Vec::new();
    for i in 0..3 {
        receivers.push(connect(&format!("{}/?name=r{i}", server.url)).await);
    }
    let lines: Vec<String> = (0..300)
        .map(|i| format!("{i:03} {}", "x".repeat(96)))
        .collect();
    for line in &lines {
        sender.feed(Message::text(line.as_str())).await.unwrap();
    }
    sender.flush().await.unwrap();
    for socket in receivers.iter_mut().chain([&mut sender]) {
        for line in &lines {
            assert_eq!(&next_line(socket).await.1, line);
        }
    }
    server.shutdown.cancel();
}

#[tokio::test]
async fn a_new_client_gets_the_last_lines_first_in_order() {
    let server = start(BroadcastSettings {
        history: 2,
        ..BroadcastSettings::default()
    })
    .await;
    let mut alice = connect(&format!("{}/?name=alice", server.url)).await;
    for text in ["one", "two", "three"] {
        say(&mut alice, text).await;
        assert_eq!(next_line(&mut alice).await.1, text);
    }
    let mut late = connect(&format!("{}/?name=late", server.url)).await;
    assert_eq!(
        next_line(&mut late).await,
        ("alice".into(), "two".into(), true)
    );
    assert_eq!(
        next_line(&mut late).await,
        ("alice".into(), "three".into(), true)
    );
    match next_event(&mut late).await {
        ServerEvent::Join(who) => assert_eq!(who.from, "late"),
        other => panic!("expected the join after the history, got {other:?}"),
    }
    say(&mut alice, "four").await;
    assert_eq!(
        next_line(&mut late).await,
        ("alice".into(), "four".into(), false)
    );
    server.shutdown.cancel();
}

#[tokio::test]
async fn a_token_is_required_when_the_server_has_one() {
    let server = start(BroadcastSettings {
        token: Some("s3cret".into()),
        ..BroadcastSettings::default()
    })
    .await;
    assert_eq!(refused_status(&server.url, None).await, 401);
    assert_eq!(refused_status(&server.url, Some("wrong")).await, 401);
    let mut by_header = try_connect(&server.url, Some("s3cret")).await.unwrap();
    let mut by_query = connect(&format!("{}/?token=s3cret&name=q", server.url)).await;
    say(&mut by_header, "in").await;
    assert_eq!(next_line(&mut by_query).await.1, "in");
    server.shutdown.cancel();
}

#[tokio::test]
async fn bad_handshakes_are_refused_with_clear_statuses() {
    let server = start(BroadcastSettings::default()).await;
    assert_eq!(
        refused_status(&format!("{}/?room=a%20b", server.url), None).await,
        422
    );
    assert_eq!(
        refused_status(&format!("{}/?name=", server.url), None).await,
        422
    );
    assert_eq!(
        refused_status(&format!("{}/?unknown=1", server.url), None).await,
        422
    );
    let http = server.url.replace("ws://", "http://");
    let plain = reqwest::get(&http).await.unwrap();
    assert_eq!(plain.status(), 426);
    assert_eq!(plain.headers()["content-type"], "application/problem+json");
    server.shutdown.cancel();
}

#[tokio::test]
async fn connections_per_address_are_capped() {
    let server = start(BroadcastSettings {
        max_connections_per_ip: 2,
        ..BroadcastSettings::default()
    })
    .await;
    let first = connect(&server.url).await;
    let _second = connect(&server.url).await;
    assert_eq!(refused_status(&server.url, None).await, 429);
    drop(first);
    // The slot frees once the server notices the disconnect.
    let mut admitted = false;
    for _ in 0..50 {
        if try_connect(&server.url, None).await.is_ok() {
            admitted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(admitted, "a freed slot is reusable");
    server.shutdown.cancel();
}

#[tokio::test]
async fn oversized_binary_and_flooding_clients_are_closed_and_the_server_stays_up() {
    let server = start(BroadcastSettings {
        max_message_bytes: 1024,
        messages_per_second: 5,
        ..BroadcastSettings::default()
    })
    .await;
    let mut big = connect(&server.url).await;
    let _ = big.send(Message::text("x".repeat(4096))).await;
    assert_eq!(close_code(&mut big).await, Some(1009));

    let mut binary = connect(&server.url).await;
    binary.send(Message::binary(vec![0u8, 1, 2])).await.unwrap();
    assert_eq!(close_code(&mut binary).await, Some(1003));

    let mut flood = connect(&server.url).await;
    for i in 0..50 {
        if flood
            .send(Message::text(format!("spam {i}")))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(close_code(&mut flood).await, Some(1008));

    // Others are unaffected.
    let mut fine = connect(&format!("{}/?name=fine&room=calm", server.url)).await;
    say(&mut fine, "still here").await;
    assert_eq!(next_line(&mut fine).await.1, "still here");
    server.shutdown.cancel();
}

#[tokio::test]
async fn shutdown_sends_going_away_to_every_client_and_returns() {
    let server = start(BroadcastSettings::default()).await;
    let mut clients = Vec::new();
    for i in 0..5 {
        clients.push(connect(&format!("{}/?name=c{i}", server.url)).await);
    }
    server.shutdown.cancel();
    for client in &mut clients {
        assert_eq!(close_code(client).await, Some(1001));
    }
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn malformed_frames_end_that_connection_only() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = start(BroadcastSettings::default()).await;
    let address = server.url.trim_start_matches("ws://").to_owned();
    // (frame bytes, what is wrong with it)
    let cases: [(&[u8], &str); 3] = [
        (
            &[0x81, 0x05, b'h', b'e', b'l', b'l', b'o'],
            "an unmasked client frame",
        ),
        (&[0x83, 0x80, 1, 2, 3, 4], "a reserved opcode"),
        (
            &[0x81, 0x82, 0, 0, 0, 0, 0xC3, 0x28],
            "a text frame that is not UTF-8",
        ),
    ];
    for (frame, what) in cases {
        let mut tcp = tokio::net::TcpStream::connect(&address).await.unwrap();
        let handshake = format!(
            "GET / HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        tcp.write_all(handshake.as_bytes()).await.unwrap();
        let mut response = vec![0u8; 1024];
        let read = tcp.read(&mut response).await.unwrap();
        assert!(
            response[..read].starts_with(b"HTTP/1.1 101"),
            "{what}: handshake refused"
        );
        tcp.write_all(frame).await.unwrap();
        // The server ends the connection (a close frame, then EOF) within a second.
        let mut rest = Vec::new();
        let ended = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest)).await;
        assert!(
            ended.is_ok(),
            "{what}: the server did not drop the connection"
        );
    }
    let mut fine = connect(&format!("{}/?name=fine", server.url)).await;
    say(&mut fine, "still up").await;
    assert_eq!(next_line(&mut fine).await.1, "still up");
    server.shutdown.cancel();
}
