//! WebSocket sessions (DESIGN.md section 6): the rules every real-time endpoint shares.
//!
//! A session is a loop over a message stream and sink ([`Session::run`]), generic so that
//! tests drive it with channels and production with axum's `WebSocket`. It
//!
//! - sends a ping every [`SessionConfig::ping_interval`] and drops a peer from which
//!   nothing (no pong, no message) arrived for [`SessionConfig::idle_timeout`];
//! - queues outgoing messages in a bounded [`Outbox`]; a consumer that falls behind (the
//!   queue is full, or one write takes longer than [`SessionConfig::send_timeout`]) is
//!   disconnected, so a slow client never makes the server's memory grow;
//! - writes every message already waiting for the client with one flush (one system
//!   call), so a busy fan-out costs fewer calls than messages;
//! - closes with 1001 (going away) when the server shuts down, 1009 for a message above
//!   [`SessionConfig::max_message_bytes`], 1003 for binary where text is expected, and
//!   1008 when a client sends faster than [`SessionConfig::messages_per_second`];
//! - counts sessions in `/metrics` (`ws_sessions` gauge, `ws_sessions_ended_total` by
//!   reason).
//!
//! Before the upgrade, [`ConnectionLimits`] caps connections in all and per client
//! address, and [`OriginPolicy`] refuses pages from origins not on an allow-list.

mod limits;
mod session;

use std::time::Duration;

pub use limits::{
    Admission, ConnectionLimits, ConnectionPermit, LimitExceeded, MessageRate, OriginPolicy,
};
pub use session::{Close, Ended, Handler, Incoming, ListenOnly, Outbox, Outgoing, Session};

#[cfg(test)]
mod tests;

/// Timing and size rules of a session; see the module docs.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// How often the server pings.
    pub ping_interval: Duration,
    /// A peer silent for this long (no pong either) is dead and dropped.
    pub idle_timeout: Duration,
    /// One write (of one message, or of the several already waiting) taking longer than
    /// this means a slow consumer.
    pub send_timeout: Duration,
    /// Messages queued for one client before it counts as a slow consumer.
    pub outbox_capacity: usize,
    /// The largest message a client may send.
    pub max_message_bytes: usize,
    /// Sustained messages per second a client may send...
    pub messages_per_second: u32,
    /// ...and how many it may send at once.
    pub message_burst: u32,
    /// Whether binary messages are accepted (else 1003).
    pub accept_binary: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(10),
            outbox_capacity: 256,
            max_message_bytes: 64 * 1024,
            messages_per_second: 20,
            message_burst: 40,
            accept_binary: false,
        }
    }
}

impl SessionConfig {
    /// Applies the size limits and small buffers to an axum upgrade. The buffers matter
    /// for memory: tungstenite's defaults (128 KiB each way) would cost an idle
    /// connection far more than everything else together. The write buffer is empty
    /// until a message is sent and grows to [`WRITE_BUFFER`] at most (plus one message):
    /// messages gather in it until the session flushes, which it does after every batch
    /// (see `send_ready`), so none waits for more to come.
    ///
    /// The WebSocket library's own limit is four times ours: a message up to that size is
    /// read and refused by the session with close code 1009, which tells the client why;
    /// anything larger makes the library drop the connection without reading it all.
    pub fn configure<F>(
        &self,
        upgrade: axum::extract::ws::WebSocketUpgrade<F>,
    ) -> axum::extract::ws::WebSocketUpgrade<F> {
        let hard_limit = self.max_message_bytes.saturating_mul(4);
        upgrade
            .max_message_size(hard_limit)
            .max_frame_size(hard_limit)
            .read_buffer_size(4 * 1024)
            .write_buffer_size(WRITE_BUFFER)
    }
}

/// Bytes of outgoing frames gathered before the WebSocket library writes them out. A
/// connection that has received a burst keeps this buffer's allocation (up to twice
/// this), so it is small; in `bench/broadcast.sh`'s burst, 4 KiB delivered faster than
/// 8 KiB (and no slower than 2 KiB) and kept 6 KiB less per connection than 8 KiB.
const WRITE_BUFFER: usize = 4 * 1024;

/// The answer to a request for a WebSocket endpoint that is not a WebSocket handshake
/// (a plain GET, a missing header): 426 as problem+json, with axum's reason.
pub fn not_a_handshake(
    rejection: &axum::extract::ws::rejection::WebSocketUpgradeRejection,
) -> crate::ApiError {
    crate::ApiError::new(
        axum::http::StatusCode::UPGRADE_REQUIRED,
        "websocket_required",
        format!("this endpoint speaks WebSocket only: {rejection}"),
    )
}

/// Close codes of RFC 6455 section 7.4.1 that sessions use.
pub mod close_code {
    /// The purpose of the connection was fulfilled.
    pub const NORMAL: u16 = 1000;
    /// The server is going down.
    pub const GOING_AWAY: u16 = 1001;
    /// The endpoint cannot accept this kind of data (binary where text is expected).
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// The message broke a rule (flooding, a slow consumer, bad content).
    pub const POLICY_VIOLATION: u16 = 1008;
    /// The message is too big.
    pub const TOO_BIG: u16 = 1009;
    /// The server hit an unexpected condition.
    pub const INTERNAL_ERROR: u16 = 1011;
}
