//! `GET /healthz` (the process answers) and `GET /readyz` (it can do useful work: the
//! database and every configured service respond). Load balancers route by `/readyz`;
//! orchestrators restart on `/healthz`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Platform;
use crate::http::extract::Json;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// Readiness, with each dependency's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: &'static str,
    /// `ok` or `down` per dependency (`database`, `redis`, `storage`).
    pub checks: BTreeMap<&'static str, &'static str>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "server", responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process and its dependencies are up.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "server",
    responses(
        (status = 200, description = "Every dependency answered", body = Readiness),
        (status = 503, description = "A dependency is down (details in the log)", body = Readiness),
    )
)]
pub async fn readyz(State(platform): State<Platform>) -> (StatusCode, Json<Readiness>) {
    let mut checks = BTreeMap::new();
    let database = tokio::time::timeout(CHECK_TIMEOUT, platform.db().ping()).await;
    checks.insert(
        "database",
        verdict(
            "database",
            database
                .map_err(|_| "timed out".to_owned())
                .and_then(|r| r.map_err(|e| e.to_string())),
        ),
    );
    if let Some(redis) = platform.redis() {
        let mut connection = redis.clone();
        let ping = tokio::time::timeout(
            CHECK_TIMEOUT,
            redis::cmd("PING").query_async::<String>(&mut connection),
        )
        .await;
        checks.insert(
            "redis",
            verdict(
                "redis",
                ping.map_err(|_| "timed out".to_owned())
                    .and_then(|r| r.map_err(|e| e.to_string())),
            ),
        );
    }
    // A local directory needs no probe; a bucket behind the network does.
    if platform.blobs().backend_name() != "local" {
        let probe = tokio::time::timeout(CHECK_TIMEOUT, platform.blobs().check()).await;
        checks.insert(
            "storage",
            verdict(
                "storage",
                probe
                    .map_err(|_| "timed out".to_owned())
                    .and_then(|r| r.map_err(|e| e.to_string())),
            ),
        );
    }
    let ready = checks.values().all(|state| *state == "ok");
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            status: if ready { "ready" } else { "unavailable" },
            checks,
        }),
    )
}

fn verdict<T>(name: &str, outcome: Result<T, String>) -> &'static str {
    match outcome {
        Ok(_) => "ok",
        Err(error) => {
            tracing::warn!(dependency = name, %error, "readiness check failed");
            "down"
        }
    }
}
