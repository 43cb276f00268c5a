//! The `[broadcast]` configuration section (`GROUNDWORK__BROADCAST__*`), and the same
//! settings as `broadcast-server start` flags.

use serde::Deserialize;

/// Broadcast settings; every field has a default.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BroadcastSettings {
    /// Clients must present this token (`Authorization: Bearer`, or `?token=`); unset:
    /// anyone may connect.
    pub token: Option<String>,
    /// Lines replayed to a client joining a room.
    pub history: usize,
    /// Rooms whose history is kept.
    pub max_rooms: usize,
    /// Connections held at once by this instance.
    pub max_connections: usize,
    /// Connections held at once from one address (IPv6: one /64).
    pub max_connections_per_ip: usize,
    /// Page origins allowed to connect (browsers); empty: any.
    pub allowed_origins: Vec<String>,
    /// Largest message a client may send (bytes).
    pub max_message_bytes: usize,
    /// Messages per second one client may send, sustained (bursts of twice that).
    pub messages_per_second: u32,
}

impl Default for BroadcastSettings {
    fn default() -> Self {
        Self {
            token: None,
            history: 50,
            max_rooms: 10_000,
            max_connections: 100_000,
            max_connections_per_ip: 1_000,
            allowed_origins: Vec::new(),
            max_message_bytes: 16 * 1024,
            messages_per_second: 10,
        }
    }
}

impl std::fmt::Debug for BroadcastSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BroadcastSettings")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("history", &self.history)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}
