//! Sessions driven through channels, with tokio's clock paused so that heartbeats and
//! timeouts happen instantly and deterministically.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, Stream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::close_code::{GOING_AWAY, POLICY_VIOLATION, TOO_BIG, UNSUPPORTED_DATA};
use super::*;

/// The server's end of a fake connection: what the client "sends" arrives on `incoming`,
/// what the session sends goes to `outgoing`. With `stalled`, writes never complete, as
/// with a client that stopped reading.
struct ChannelSocket {
    incoming: mpsc::UnboundedReceiver<Message>,
    outgoing: mpsc::UnboundedSender<Message>,
    stalled: bool,
    /// Counts the session's flushes (each is one system call on a real socket).
    flushes: Arc<AtomicUsize>,
}

impl Stream for ChannelSocket {
    type Item = Result<Message, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.incoming.poll_recv(cx).map(|message| message.map(Ok))
    }
}

impl Sink<Message> for ChannelSocket {
    type Error = &'static str;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.stalled {
            Poll::Pending
        } else {
            Poll::Ready(Ok(()))
        }
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), Self::Error> {
        self.outgoing.send(item).map_err(|_| "client gone")
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.flushes.fetch_add(1, Ordering::Relaxed);
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}

/// Echoes every text message back through the outbox.
struct Echo {
    outbox: Outbox,
}

impl Handler for Echo {
    async fn on_message(&mut self, message: Incoming) -> Result<(), Close> {
        if let Incoming::Text(text) = message {
            if text.as_str() == "bye" {
                return Err(Close::new(1000, "asked to leave"));
            }
            self.outbox
                .send(Outgoing::text(format!("echo {}", text.as_str())));
        }
        Ok(())
    }
}

/// A running session and the client's ends of its channels.
struct Client {
    to_server: mpsc::UnboundedSender<Message>,
    from_server: mpsc::UnboundedReceiver<Message>,
    outbox: Outbox,
    shutdown: CancellationToken,
    session: JoinHandle<Ended>,
    flushes: Arc<AtomicUsize>,
}

fn config() -> SessionConfig {
    SessionConfig {
        ping_interval: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(30),
        send_timeout: Duration::from_secs(5),
        outbox_capacity: 8,
        max_message_bytes: 16,
        messages_per_second: 2,
        message_burst: 5,
        accept_binary: false,
    }
}

fn start_with<F>(config: SessionConfig, stalled: bool, feed: F) -> Client
where
    F: futures_util::Stream<Item = Outgoing> + Unpin + Send + 'static,
{
    let (to_server, incoming) = mpsc::unbounded_channel();
    let (outgoing, from_server) = mpsc::unbounded_channel();
    let shutdown = CancellationToken::new();
    let session = Session::new(config, shutdown.clone());
    let outbox = session.outbox();
    let handler = Echo {
        outbox: session.outbox(),
    };
    let flushes = Arc::new(AtomicUsize::new(0));
    let socket = ChannelSocket {
        incoming,
        outgoing,
        stalled,
        flushes: flushes.clone(),
    };
    let session = tokio::spawn(session.run(socket, feed, handler));
    Client {
        to_server,
        from_server,
        outbox,
        shutdown,
        session,
        flushes,
    }
}

fn start() -> Client {
    start_with(config(), false, futures_util::stream::pending())
}

fn text(value: &str) -> Message {
    Message::Text(value.into())
}

fn close_code(message: Option<Message>) -> Option<u16> {
    match message {
        Some(Message::Close(Some(frame))) => Some(frame.code),
        _ => None,
    }
}

#[tokio::test(start_paused = true)]
async fn messages_reach_the_handler_and_replies_reach_the_client() {
    let mut client = start();
    client.to_server.send(text("hello")).unwrap();
    assert_eq!(client.from_server.recv().await, Some(text("echo hello")));
    client.to_server.send(text("bye")).unwrap();
    assert_eq!(close_code(client.from_server.recv().await), Some(1000));
    assert_eq!(client.session.await.unwrap(), Ended::ByServer);
}

#[tokio::test(start_paused = true)]
async fn shutdown_sends_going_away() {
    let mut client = start();
    client.shutdown.cancel();
    assert_eq!(
        close_code(client.from_server.recv().await),
        Some(GOING_AWAY)
    );
    assert_eq!(client.session.await.unwrap(), Ended::Shutdown);
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_answers_pings_stays_and_a_silent_one_is_dropped() {
    let mut client = start();
    for _ in 0..5 {
        assert_eq!(
            client.from_server.recv().await,
            Some(Message::Ping(Default::default()))
        );
        client
            .to_server
            .send(Message::Pong(Default::default()))
            .unwrap();
    }
    assert!(!client.session.is_finished());
    // Now silent: pings keep coming until the idle timeout, then the session ends.
    let started = tokio::time::Instant::now();
    while let Some(message) = client.from_server.recv().await {
        assert_eq!(message, Message::Ping(Default::default()));
    }
    assert_eq!(client.session.await.unwrap(), Ended::DeadPeer);
    assert!(started.elapsed() >= Duration::from_secs(30));
    assert!(started.elapsed() <= Duration::from_secs(40));
}

#[tokio::test(start_paused = true)]
async fn a_full_outbox_disconnects_the_slow_consumer() {
    // The client never reads and its writes never complete: the queue fills up.
    let client = start_with(config(), true, futures_util::stream::pending());
    let accepted = (0..10)
        .filter(|i| client.outbox.send(Outgoing::text(format!("m{i}"))))
        .count();
    assert_eq!(accepted, 8, "the queue holds its capacity, no more");
    assert_eq!(client.session.await.unwrap(), Ended::SlowConsumer);
    assert!(client.outbox.is_closed());
}

#[tokio::test(start_paused = true)]
async fn a_write_that_stalls_disconnects_the_slow_consumer() {
    let client = start_with(config(), true, futures_util::stream::pending());
    assert!(client.outbox.send(Outgoing::text("one")));
    assert_eq!(client.session.await.unwrap(), Ended::SlowConsumer);
}

#[tokio::test(start_paused = true)]
async fn a_flood_is_cut_off() {
    let mut client = start();
    // The burst (5) is allowed at once...
    for i in 0..5 {
        client.to_server.send(text(&format!("m{i}"))).unwrap();
    }
    for _ in 0..5 {
        assert!(matches!(
            client.from_server.recv().await,
            Some(Message::Text(_))
        ));
    }
    // ...one more without waiting is not.
    client.to_server.send(text("m5")).unwrap();
    assert_eq!(
        close_code(client.from_server.recv().await),
        Some(POLICY_VIOLATION)
    );
    assert_eq!(client.session.await.unwrap(), Ended::Flood);
}

#[tokio::test(start_paused = true)]
async fn the_sustained_rate_is_allowed() {
    let mut client = start();
    for i in 0..20 {
        client.to_server.send(text(&format!("m{i}"))).unwrap();
        assert!(matches!(
            client.from_server.recv().await,
            Some(Message::Text(_))
        ));
        tokio::time::advance(Duration::from_millis(500)).await;
    }
    assert!(!client.session.is_finished());
}

#[tokio::test(start_paused = true)]
async fn oversized_and_binary_messages_are_refused_with_their_codes() {
    let mut client = start();
    client.to_server.send(text(&"x".repeat(17))).unwrap();
    assert_eq!(close_code(client.from_server.recv().await), Some(TOO_BIG));
    assert_eq!(client.session.await.unwrap(), Ended::TooBig);

    let mut client = start();
    client
        .to_server
        .send(Message::Binary(vec![1, 2, 3].into()))
        .unwrap();
    assert_eq!(
        close_code(client.from_server.recv().await),
        Some(UNSUPPORTED_DATA)
    );
    assert_eq!(client.session.await.unwrap(), Ended::UnsupportedData);
}

#[tokio::test(start_paused = true)]
async fn the_client_closing_or_vanishing_ends_the_session() {
    let client = start();
    client.to_server.send(Message::Close(None)).unwrap();
    assert_eq!(client.session.await.unwrap(), Ended::ClientClosed);

    let client = start();
    drop(client.to_server);
    assert_eq!(client.session.await.unwrap(), Ended::ClientGone);
}

#[tokio::test(start_paused = true)]
async fn the_feed_is_forwarded_and_can_close_the_session() {
    let feed = futures_util::stream::iter(vec![
        Outgoing::text("a"),
        Outgoing::text("b"),
        Outgoing::Close(Close::new(1000, "poll closed")),
    ]);
    let mut client = start_with(config(), false, feed);
    assert_eq!(client.from_server.recv().await, Some(text("a")));
    assert_eq!(client.from_server.recv().await, Some(text("b")));
    assert_eq!(close_code(client.from_server.recv().await), Some(1000));
    assert_eq!(client.session.await.unwrap(), Ended::ByServer);
}

#[tokio::test(start_paused = true)]
async fn messages_already_waiting_share_one_flush() {
    // 70 messages are waiting when the session starts: they go out in order, in batches
    // of WRITE_BATCH with one flush each, not one flush per message.
    let feed = futures_util::stream::iter((0..70).map(|i| Outgoing::text(format!("m{i}"))));
    let mut client = start_with(config(), false, feed);
    for i in 0..70 {
        assert_eq!(
            client.from_server.recv().await,
            Some(text(&format!("m{i}")))
        );
    }
    assert_eq!(client.flushes.load(Ordering::Relaxed), 2);

    // One message at a time is still flushed at once.
    assert!(client.outbox.send(Outgoing::text("alone")));
    assert_eq!(client.from_server.recv().await, Some(text("alone")));
    assert_eq!(client.flushes.load(Ordering::Relaxed), 3);
}

#[tokio::test(start_paused = true)]
async fn a_close_met_while_gathering_sends_what_came_before_it_and_nothing_after() {
    let feed = futures_util::stream::iter(vec![
        Outgoing::text("a"),
        Outgoing::text("b"),
        Outgoing::Close(Close::new(1000, "poll closed")),
        Outgoing::text("after the close"),
    ]);
    let mut client = start_with(config(), false, feed);
    assert_eq!(client.from_server.recv().await, Some(text("a")));
    assert_eq!(client.from_server.recv().await, Some(text("b")));
    assert_eq!(close_code(client.from_server.recv().await), Some(1000));
    assert_eq!(client.session.await.unwrap(), Ended::ByServer);
    assert_eq!(client.from_server.recv().await, None);
}
