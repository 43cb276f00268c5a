//! The session loop; see the module docs of [`crate::ws`].

use std::future::Future;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use bytes::Bytes;
use futures_util::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::close_code::{GOING_AWAY, POLICY_VIOLATION, TOO_BIG, UNSUPPORTED_DATA};
use super::{MessageRate, SessionConfig};

/// A data message from the client (control frames are the session's business).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A text message (valid UTF-8, checked by the WebSocket library).
    Text(Utf8Bytes),
    /// A binary message, only when [`SessionConfig::accept_binary`] is set.
    Binary(Bytes),
}

/// Something to send to the client.
#[derive(Clone, Debug)]
pub enum Outgoing {
    /// A message.
    Message(Message),
    /// A close frame, after which the session ends.
    Close(Close),
}

impl Outgoing {
    /// A text message.
    pub fn text(text: impl Into<Utf8Bytes>) -> Self {
        Self::Message(Message::Text(text.into()))
    }
}

/// A close code and reason (the reason is for humans and at most 123 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Close {
    /// RFC 6455 close code, see [`super::close_code`].
    pub code: u16,
    /// Why.
    pub reason: &'static str,
}

impl Close {
    /// A close frame with this code and reason.
    pub const fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason }
    }

    fn frame(&self) -> Message {
        Message::Close(Some(CloseFrame {
            code: self.code,
            reason: Utf8Bytes::from_static(self.reason),
        }))
    }
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The client sent a close frame.
    ClientClosed,
    /// The connection dropped or broke the protocol.
    ClientGone,
    /// The server is shutting down (1001 sent).
    Shutdown,
    /// Nothing heard from the client for the idle timeout.
    DeadPeer,
    /// The client did not keep up with its messages.
    SlowConsumer,
    /// The client sent too fast (1008 sent).
    Flood,
    /// A message above the size limit (1009 sent).
    TooBig,
    /// Binary where text is expected (1003 sent).
    UnsupportedData,
    /// The handler or the application closed it.
    ByServer,
}

impl Ended {
    fn label(self) -> &'static str {
        match self {
            Self::ClientClosed => "client_closed",
            Self::ClientGone => "client_gone",
            Self::Shutdown => "shutdown",
            Self::DeadPeer => "dead_peer",
            Self::SlowConsumer => "slow_consumer",
            Self::Flood => "flood",
            Self::TooBig => "too_big",
            Self::UnsupportedData => "unsupported_data",
            Self::ByServer => "by_server",
        }
    }
}

/// What the application does with each message a client sends.
pub trait Handler: Send {
    /// Handles one message; an error closes the session with that close frame.
    fn on_message(&mut self, message: Incoming) -> impl Future<Output = Result<(), Close>> + Send;
}

/// A handler for endpoints where clients only listen: text they send is ignored (the
/// session's size, binary and rate rules still apply).
pub struct ListenOnly;

impl Handler for ListenOnly {
    async fn on_message(&mut self, _message: Incoming) -> Result<(), Close> {
        Ok(())
    }
}

/// The sending side of a session's bounded queue. Cheap to clone; hand it to whatever
/// produces messages for this client.
#[derive(Clone)]
pub struct Outbox {
    queue: mpsc::Sender<Outgoing>,
    overflowed: CancellationToken,
}

impl Outbox {
    /// Queues a message without waiting. A full queue means the client is not keeping up:
    /// the session is ended as a slow consumer and this returns `false`, as it does when
    /// the session is already over.
    pub fn send(&self, message: Outgoing) -> bool {
        match self.queue.try_send(message) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.overflowed.cancel();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Whether the session has ended.
    pub fn is_closed(&self) -> bool {
        self.queue.is_closed()
    }
}

/// One client's session; see the module docs of [`crate::ws`].
pub struct Session {
    config: SessionConfig,
    outbox: Outbox,
    queue: mpsc::Receiver<Outgoing>,
    shutdown: CancellationToken,
}

/// A close frame gets this long to go out before the connection is dropped anyway.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// What one turn of the loop found to do.
enum Step {
    Received(Option<Message>),
    Send(Outgoing),
    Ping,
    Close(Close, Ended),
    Nothing,
}

impl Session {
    /// A session that ends with 1001 when `shutdown` is cancelled.
    pub fn new(config: SessionConfig, shutdown: CancellationToken) -> Self {
        let (sender, queue) = mpsc::channel(config.outbox_capacity.max(1));
        Self {
            config,
            outbox: Outbox {
                queue: sender,
                overflowed: CancellationToken::new(),
            },
            queue,
            shutdown,
        }
    }

    /// A handle to queue messages for this client.
    pub fn outbox(&self) -> Outbox {
        self.outbox.clone()
    }

    /// Runs the session until it ends; see the module docs. `feed` is a second source of
    /// outgoing messages (a pub/sub subscription, say) read only when the socket can take
    /// them, so a slow client makes it lag rather than grow; pass
    /// `futures_util::stream::pending()` when there is none.
    pub async fn run<S, E, F, H>(self, mut socket: S, mut feed: F, mut handler: H) -> Ended
    where
        S: Stream<Item = Result<Message, E>> + Sink<Message> + Unpin + Send,
        F: Stream<Item = Outgoing> + Unpin + Send,
        H: Handler,
    {
        let Self {
            config,
            outbox,
            mut queue,
            shutdown,
        } = self;
        let overflowed = outbox.overflowed.clone();
        drop(outbox);
        metrics::gauge!("ws_sessions").increment(1.0);
        let mut rate = MessageRate::new(config.messages_per_second, config.message_burst);
        let mut last_heard = Instant::now();
        let mut ping =
            tokio::time::interval_at(Instant::now() + config.ping_interval, config.ping_interval);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut feed_open = true;
        let ended = loop {
            // Unbiased: a feed that is always ready must not starve reading (pongs).
            let step = tokio::select! {
                () = shutdown.cancelled() => {
                    Step::Close(Close::new(GOING_AWAY, "server shutting down"), Ended::Shutdown)
                }
                () = overflowed.cancelled() => {
                    Step::Close(Close::new(POLICY_VIOLATION, "too slow"), Ended::SlowConsumer)
                }
                received = socket.next() => Step::Received(received.and_then(Result::ok)),
                Some(outgoing) = queue.recv() => Step::Send(outgoing),
                outgoing = feed.next(), if feed_open => match outgoing {
                    Some(outgoing) => Step::Send(outgoing),
                    None => {
                        feed_open = false;
                        Step::Nothing
                    }
                },
                _ = ping.tick() => Step::Ping,
            };
            let step = match step {
                Step::Received(None) => break Ended::ClientGone,
                Step::Received(Some(message)) => {
                    last_heard = Instant::now();
                    match receive(message, &config, &mut rate, &mut handler).await {
                        Ok(None) => continue,
                        Ok(Some(ended)) => break ended,
                        Err((close, ended)) => Step::Close(close, ended),
                    }
                }
                Step::Ping if last_heard.elapsed() >= config.idle_timeout => break Ended::DeadPeer,
                other => other,
            };
            match step {
                Step::Send(Outgoing::Message(message)) => {
                    let ready = Ready {
                        queue: &mut queue,
                        feed: &mut feed,
                        feed_open: &mut feed_open,
                    };
                    match send_ready(&mut socket, message, ready, config.send_timeout).await {
                        Ok(None) => {}
                        Ok(Some(close)) => {
                            let _ = send(&mut socket, close.frame(), CLOSE_TIMEOUT).await;
                            break Ended::ByServer;
                        }
                        Err(ended) => break ended,
                    }
                }
                Step::Ping => {
                    if let Some(ended) = send(
                        &mut socket,
                        Message::Ping(Bytes::new()),
                        config.send_timeout,
                    )
                    .await
                    {
                        break ended;
                    }
                }
                Step::Send(Outgoing::Close(close)) => {
                    let _ = send(&mut socket, close.frame(), CLOSE_TIMEOUT).await;
                    break Ended::ByServer;
                }
                Step::Close(close, ended) => {
                    let _ = send(&mut socket, close.frame(), CLOSE_TIMEOUT).await;
                    break ended;
                }
                Step::Received(_) | Step::Nothing => {}
            }
        };
        metrics::gauge!("ws_sessions").decrement(1.0);
        metrics::counter!("ws_sessions_ended_total", "reason" => ended.label()).increment(1);
        ended
    }
}

/// Applies the rules to one received message: `Ok(None)` to go on, `Ok(Some)` when the
/// client closed, `Err` with the close frame to send.
async fn receive<H: Handler>(
    message: Message,
    config: &SessionConfig,
    rate: &mut MessageRate,
    handler: &mut H,
) -> Result<Option<Ended>, (Close, Ended)> {
    let incoming = match message {
        // Pings are answered by the WebSocket library; hearing anything is what matters.
        Message::Ping(_) | Message::Pong(_) => return Ok(None),
        Message::Close(_) => return Ok(Some(Ended::ClientClosed)),
        Message::Text(text) => Incoming::Text(text),
        Message::Binary(_) if !config.accept_binary => {
            return Err((
                Close::new(UNSUPPORTED_DATA, "text messages only"),
                Ended::UnsupportedData,
            ));
        }
        Message::Binary(data) => Incoming::Binary(data),
    };
    let size = match &incoming {
        Incoming::Text(text) => text.len(),
        Incoming::Binary(data) => data.len(),
    };
    if size > config.max_message_bytes {
        return Err((Close::new(TOO_BIG, "message too big"), Ended::TooBig));
    }
    if !rate.allow() {
        return Err((
            Close::new(POLICY_VIOLATION, "too many messages"),
            Ended::Flood,
        ));
    }
    handler
        .on_message(incoming)
        .await
        .map(|()| None)
        .map_err(|close| (close, Ended::ByServer))
}

/// Messages written to the socket at most per flush (one `write` when they fit the
/// WebSocket library's write buffer, see [`SessionConfig::configure`]).
const WRITE_BATCH: usize = 64;

/// The session's two sources of outgoing messages, read without waiting.
struct Ready<'a, F> {
    queue: &'a mut mpsc::Receiver<Outgoing>,
    feed: &'a mut F,
    feed_open: &'a mut bool,
}

impl<F: Stream<Item = Outgoing> + Unpin> Ready<'_, F> {
    /// The next message already waiting in the queue or the feed, if any.
    fn next(&mut self) -> Option<Outgoing> {
        if let Ok(outgoing) = self.queue.try_recv() {
            return Some(outgoing);
        }
        if !*self.feed_open {
            return None;
        }
        match self.feed.next().now_or_never() {
            Some(Some(outgoing)) => Some(outgoing),
            Some(None) => {
                *self.feed_open = false;
                None
            }
            None => None,
        }
    }
}

/// Writes `first` and whatever else is already waiting for this client (up to
/// [`WRITE_BATCH`] messages), then flushes once. When a fan-out sends messages faster
/// than one write each, a client's messages then share a system call: on loopback that
/// call, not our code, is most of a delivery's cost. `Ok(Some)` is a close frame met
/// while gathering (the messages before it are sent); `Err` when the session must end
/// (the write failed or stalled).
async fn send_ready<S, F>(
    socket: &mut S,
    first: Message,
    mut ready: Ready<'_, F>,
    limit: Duration,
) -> Result<Option<Close>, Ended>
where
    S: Sink<Message> + Unpin,
    F: Stream<Item = Outgoing> + Unpin,
{
    let write = async {
        socket.feed(first).await.map_err(drop)?;
        let mut close = None;
        for _ in 1..WRITE_BATCH {
            match ready.next() {
                Some(Outgoing::Message(message)) => socket.feed(message).await.map_err(drop)?,
                Some(Outgoing::Close(frame)) => {
                    close = Some(frame);
                    break;
                }
                None => break,
            }
        }
        socket.flush().await.map_err(drop)?;
        Ok::<_, ()>(close)
    };
    match tokio::time::timeout(limit, write).await {
        Ok(Ok(close)) => Ok(close),
        Ok(Err(())) => Err(Ended::ClientGone),
        Err(_) => Err(Ended::SlowConsumer),
    }
}

/// Sends one message; `Some` when the session must end (the write failed or stalled).
async fn send<S>(socket: &mut S, message: Message, limit: Duration) -> Option<Ended>
where
    S: Sink<Message> + Unpin,
{
    match tokio::time::timeout(limit, socket.send(message)).await {
        Ok(Ok(())) => None,
        Ok(Err(_)) => Some(Ended::ClientGone),
        Err(_) => Some(Ended::SlowConsumer),
    }
}
