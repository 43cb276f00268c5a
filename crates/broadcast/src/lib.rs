//! The broadcast server (roadmap project "Broadcast Server"): a WebSocket server that
//! sends every message a client writes to every client connected to the same room, with
//! optional token authentication, history for new clients and rooms; and its interactive
//! client. Runs standalone (`broadcast-server start`, `groundwork broadcast start`) or
//! inside `groundwork serve` at `/broadcast/ws`, where it fans out through the platform's
//! pub/sub so that clients of every instance see every line. See docs/systems/broadcast.md.

pub mod cli;
pub mod client;
pub mod hub;
pub mod protocol;
pub mod routes;
pub mod server;
pub mod settings;

use std::sync::Arc;
use std::time::Duration;

use groundwork_platform::system::{BoxError, System};
use groundwork_platform::ws::{Admission, ConnectionLimits, OriginPolicy, SessionConfig};
use groundwork_platform::{BackgroundTask, Platform};
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use settings::BroadcastSettings;

use crate::hub::{Hub, HubSettings};
use crate::routes::Broadcast;

/// The broadcast system, mounted at `/broadcast` (the socket is `/broadcast/ws`).
#[derive(Default)]
pub struct BroadcastSystem {
    hub: std::sync::OnceLock<Arc<Hub>>,
}

impl System for BroadcastSystem {
    fn name(&self) -> &'static str {
        "broadcast"
    }

    fn default_mount(&self) -> &'static str {
        "/broadcast"
    }

    fn description(&self) -> &'static str {
        "Broadcast server: WebSocket fan-out with rooms, history and token auth, across instances."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let settings: BroadcastSettings = platform.config().section("broadcast")?;
        let hub = build_hub(
            platform.pubsub().clone(),
            &settings,
            platform.shutdown_token().clone(),
        );
        let _ = self.hub.set(hub.clone());
        let state = Broadcast::new(hub, settings.token.as_deref());
        Ok(OpenApiRouter::new()
            .routes(routes!(routes::connect_ws))
            .with_state(state))
    }

    /// Waits at shutdown until every client got its close frame (1001).
    fn background_tasks(&self, _platform: &Platform) -> Vec<BackgroundTask> {
        let Some(hub) = self.hub.get().cloned() else {
            return Vec::new();
        };
        vec![BackgroundTask::new(
            "broadcast-drain",
            move |shutdown| async move {
                shutdown.cancelled().await;
                hub.drained().await;
            },
        )]
    }
}

/// A hub from the settings.
pub fn build_hub(
    pubsub: Arc<dyn groundwork_platform::pubsub::PubSub>,
    settings: &BroadcastSettings,
    shutdown: CancellationToken,
) -> Arc<Hub> {
    let session = SessionConfig {
        max_message_bytes: settings.max_message_bytes.max(1),
        messages_per_second: settings.messages_per_second.max(1),
        message_burst: settings.messages_per_second.max(1) * 2,
        ..SessionConfig::default()
    };
    let admission = Admission {
        limits: ConnectionLimits::new(settings.max_connections, settings.max_connections_per_ip),
        origins: OriginPolicy::from_list(&settings.allowed_origins),
    };
    let hub_settings = HubSettings {
        history: settings.history,
        max_rooms: settings.max_rooms.max(1),
        session,
    };
    Hub::new(pubsub, hub_settings, admission, shutdown)
}

/// How long the standalone server waits for sessions to close at shutdown.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
