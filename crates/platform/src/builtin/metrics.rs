//! `GET /metrics`: the Prometheus text exposition of every metric in the process, with
//! database pool gauges refreshed at scrape time.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::Platform;
use crate::db::pool_stats;

/// Prometheus metrics.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "server",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"))
)]
pub async fn metrics(State(platform): State<Platform>) -> impl IntoResponse {
    if let Some(stats) = pool_stats(platform.db()) {
        metrics::gauge!("db_pool_connections", "state" => "open").set(f64::from(stats.size));
        metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(stats.idle));
        metrics::gauge!("db_pool_connections", "state" => "in_use")
            .set(f64::from(stats.size.saturating_sub(stats.idle)));
        metrics::gauge!("db_pool_max_connections").set(f64::from(stats.max));
    }
    let handle = platform.metrics();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
}
