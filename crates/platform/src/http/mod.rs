//! The HTTP layer every Groundwork router runs behind (see docs/ARCHITECTURE.md): the
//! [`pipeline`] middleware (request id, span, CORS, rate limits, timeout, panics, security
//! headers, compression, metrics, access log), the body limit, the problem-aware
//! extractors, and the fallbacks. It is applied with `Router::layer`, i.e. after routing,
//! so the span and the metric labels carry the matched route template.

pub mod client_ip;
pub mod compress;
pub mod context;
pub mod cors;
pub mod extract;
pub mod guard;
pub mod html;
pub mod metrics;
pub mod no_store;
pub mod pipeline;
pub mod precompressed;
pub mod request_id;
pub mod security;
pub mod trace;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};

use crate::Platform;

use crate::error::ApiError;
use guard::Guard;
use pipeline::{Pipeline, PipelineLayer};

/// The request id header, set on every request and response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps a router in the full stack.
pub fn apply_stack(router: Router, platform: &Platform) -> Router {
    let server = &platform.settings().server;
    let pipeline = Arc::new(Pipeline::new(server, Guard::new(platform)));
    router
        .layer(DefaultBodyLimit::max(server.body_limit_bytes))
        .layer(PipelineLayer(pipeline))
}

/// Fallback for paths no route matches.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        "no route matches this path",
    )
}

/// Fallback for a known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this path does not support this method",
    )
}
