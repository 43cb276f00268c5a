//! `GET /hello`: seed 004's "simple HTTP server returning JSON", and the in-house baseline
//! every HTTP benchmark compares against (it does no I/O, so what it costs is the stack).

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::extract::Json;

/// The greeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct Hello {
    /// Always `Hello, world!`.
    pub message: &'static str,
    /// The service name.
    pub service: &'static str,
    /// The running version.
    pub version: &'static str,
}

/// Say hello.
#[utoipa::path(get, path = "/hello", tag = "server", responses((status = 200, description = "The greeting", body = Hello)))]
pub async fn hello() -> Json<Hello> {
    Json(Hello {
        message: "Hello, world!",
        service: "groundwork",
        version: env!("CARGO_PKG_VERSION"),
    })
}
