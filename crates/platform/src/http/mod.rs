//! The HTTP middleware stack every Groundwork router runs behind (DESIGN.md section 4).
//!
//! From the outside in: request id (generated if absent, echoed back), the request span,
//! panic catching, metrics, security headers, CORS, compression, body limit, then the
//! [`guard`] (client address, token, rate limits, timeout). The layers are applied with
//! `Router::layer`, i.e. after routing, so the span and the metrics see the matched route.

pub mod client_ip;
pub mod extract;
pub mod guard;
pub mod metrics;
pub mod security;
pub mod trace;

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, Any as AnyOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::ServerSettings;
use crate::error::ApiError;
use guard::Guard;
use security::SecurityHeaders;

/// The request id header, set on every request and response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps a router in the full stack.
pub fn apply_stack(router: Router, server: &ServerSettings, guard: Guard) -> Router {
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(trace::make_span)
                .on_request(())
                .on_response(trace::on_response)
                .on_failure(()),
        )
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn_with_state(
            SecurityHeaders { hsts: server.hsts },
            security::add,
        ))
        .layer(cors(server))
        .layer(CompressionLayer::new())
        .layer(DefaultBodyLimit::max(server.body_limit_bytes))
        .layer(axum::middleware::from_fn_with_state(guard, guard::guard));
    router.layer(stack)
}

fn cors(server: &ServerSettings) -> CorsLayer {
    let origins: Vec<HeaderValue> = server
        .cors_allowed_origins
        .iter()
        .filter_map(|origin| origin.parse().ok())
        .collect();
    let allow_origin = if origins.is_empty() {
        AllowOrigin::from(AnyOrigin)
    } else {
        AllowOrigin::list(origins)
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::HEAD,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            REQUEST_ID,
        ])
        .expose_headers([REQUEST_ID, header::RETRY_AFTER, header::LOCATION])
        .max_age(Duration::from_secs(3600))
}

/// A handler panic becomes an opaque 500 problem; the panic message is logged once.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic payload");
    ApiError::internal(format!("handler panicked: {message}")).into_response()
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
