//! What travels over the socket. A client sends plain text: each text message is one chat
//! line, broadcast as is. The server sends JSON objects, one per message:
//!
//! ```json
//! {"type":"message","id":"0190…","room":"lobby","from":"alice","text":"hi","at":"2026-11-21T10:00:00.000Z"}
//! {"type":"join","id":"…","room":"lobby","from":"bob","at":"…"}
//! {"type":"leave","id":"…","room":"lobby","from":"bob","at":"…"}
//! {"type":"notice","text":"some messages were missed"}
//! ```
//!
//! History replayed to a new client is the same `message` objects with `"history": true`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// The longest name accepted (characters).
pub const MAX_NAME_CHARS: usize = 32;
/// The longest room name accepted (bytes; letters, digits, `-`, `_`, `.`).
pub const MAX_ROOM_BYTES: usize = 64;
/// The room a client joins without `--room`.
pub const DEFAULT_ROOM: &str = "lobby";

/// One event, as sent to clients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ServerEvent {
    /// A chat line.
    Message(Line),
    /// Someone connected to the room.
    Join(Presence),
    /// Someone left the room.
    Leave(Presence),
    /// Something the client should know (messages missed, ...).
    Notice {
        /// For humans.
        text: String,
    },
}

/// A chat line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Unique, time-ordered (UUID v7).
    pub id: uuid::Uuid,
    /// The room it was sent to.
    pub room: String,
    /// The sender's name.
    pub from: String,
    /// What they wrote.
    pub text: String,
    /// When the server received it (UTC, milliseconds).
    pub at: String,
    /// Replayed from history on connect, not live.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
}

/// A join or leave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// Unique, time-ordered (UUID v7).
    pub id: uuid::Uuid,
    /// The room.
    pub room: String,
    /// Who.
    pub from: String,
    /// When (UTC, milliseconds).
    pub at: String,
}

/// The current time as the protocol writes it.
pub fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A display name: trimmed, 1 to 32 characters, no control characters.
pub fn parse_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "the name is longer than {MAX_NAME_CHARS} characters"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("the name contains control characters".into());
    }
    Ok(name.to_owned())
}

/// A room name: 1 to 64 of letters, digits, `-`, `_` and `.`.
pub fn parse_room(room: &str) -> Result<String, String> {
    if room.is_empty() || room.len() > MAX_ROOM_BYTES {
        return Err(format!(
            "the room name must be 1 to {MAX_ROOM_BYTES} characters"
        ));
    }
    if !room
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("the room name may only hold letters, digits, '-', '_' and '.'".into());
    }
    Ok(room.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_rooms_are_checked() {
        assert_eq!(parse_name("  alice ").unwrap(), "alice");
        assert!(parse_name("").is_err());
        assert!(parse_name("a\u{7}b").is_err());
        assert!(parse_name(&"é".repeat(33)).is_err());
        assert_eq!(parse_name(&"é".repeat(32)).unwrap().chars().count(), 32);
        assert_eq!(parse_room("team-1.dev").unwrap(), "team-1.dev");
        assert!(parse_room("").is_err());
        assert!(parse_room("a b").is_err());
        assert!(parse_room(&"r".repeat(65)).is_err());
    }

    #[test]
    fn events_serialise_with_a_type_tag() {
        let line = ServerEvent::Message(Line {
            id: uuid::Uuid::nil(),
            room: "lobby".into(),
            from: "alice".into(),
            text: "hi".into(),
            at: "2026-11-21T10:00:00.000Z".into(),
            history: false,
        });
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(
            json,
            r#"{"type":"message","id":"00000000-0000-0000-0000-000000000000","room":"lobby","from":"alice","text":"hi","at":"2026-11-21T10:00:00.000Z"}"#
        );
        assert_eq!(serde_json::from_str::<ServerEvent>(&json).unwrap(), line);
    }
}
