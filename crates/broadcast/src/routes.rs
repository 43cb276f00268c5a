//! `GET /ws` (and `/` on the standalone server): the WebSocket endpoint.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use groundwork_platform::ApiError;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::Query;
use groundwork_platform::ws::not_a_handshake;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::hub::{Hub, Member};
use crate::protocol::{DEFAULT_ROOM, parse_name, parse_room};

/// The endpoint's state: the hub and the token clients must present, if any.
pub struct Broadcast {
    /// The hub.
    pub hub: Arc<Hub>,
    /// SHA-256 of the token; compared digest to digest so the comparison's timing says
    /// nothing about the token.
    token_digest: Option<[u8; 32]>,
}

impl Broadcast {
    /// The endpoint's state.
    pub fn new(hub: Arc<Hub>, token: Option<&str>) -> Arc<Self> {
        Arc::new(Self {
            hub,
            token_digest: token.map(|t| Sha256::digest(t.as_bytes()).into()),
        })
    }

    fn check_token(&self, presented: Option<&str>) -> Result<(), ApiError> {
        let Some(expected) = self.token_digest else {
            return Ok(());
        };
        let presented = presented.ok_or_else(|| {
            ApiError::unauthorized("token_required", "this server needs a token (--token)")
        })?;
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        if digest == expected {
            Ok(())
        } else {
            Err(ApiError::unauthorized(
                "bad_token",
                "the token is not valid",
            ))
        }
    }
}

/// Query parameters of the handshake.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConnectParams {
    /// Display name (1 to 32 characters); default "anonymous".
    pub name: Option<String>,
    /// Room (letters, digits, `-_.`); default "lobby".
    pub room: Option<String>,
    /// The server's token, for clients that cannot send an Authorization header (browsers).
    pub token: Option<String>,
}

/// Opens a WebSocket. Each text message the client sends is broadcast to every client in
/// the same room (the sender too) as `{"type":"message","from":...,"text":...,"at":...}`;
/// a new client first gets the room's last lines with `"history": true`. Joins and leaves
/// are announced. The server pings every 20 s and drops a silent client after 60 s;
/// messages above the size limit close with 1009, binary with 1003, floods with 1008,
/// shutdown with 1001.
///
/// `broadcast-server connect --url ws://127.0.0.1:8080/broadcast/ws --name alice`
#[utoipa::path(
    get,
    path = "/ws",
    params(ConnectParams),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Invalid name or room"),
        (status = 401, description = "Missing or wrong token (when the server has one)"),
        (status = 403, description = "The page's origin is not allowed"),
        (status = 426, description = "Not a WebSocket handshake"),
        (status = 429, description = "Too many connections from this address"),
        (status = 503, description = "The server is at its connection limit"),
    )
)]
pub async fn connect_ws(
    State(state): State<Arc<Broadcast>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(params): Query<ConnectParams>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    state.check_token(bearer.or(params.token.as_deref()))?;
    let name = parse_name(params.name.as_deref().unwrap_or("anonymous"))
        .map_err(|e| ApiError::invalid_field("name", "invalid", e))?;
    let room = parse_room(params.room.as_deref().unwrap_or(DEFAULT_ROOM))
        .map_err(|e| ApiError::invalid_field("room", "invalid", e))?;
    let upgrade = upgrade.map_err(|rejection| not_a_handshake(&rejection))?;
    let hub = state.hub.clone();
    let permit = hub.admission().admit(&headers, ip)?;
    let member = Member { name, room, permit };
    Ok(hub
        .session_config()
        .configure(upgrade)
        .on_upgrade(move |socket| hub.serve(socket, member)))
}
