//! `GET /{code}`: the hot path. A cache hit costs a map lookup, a few checks and a click
//! added to the in-memory batch; the database is never written here (see `clicks`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use groundwork_platform::ApiError;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::Path;

use crate::cache::CachedLink;
use crate::clicks::ClickHeaders;
use crate::code::looks_like_code;
use crate::page::{Dead, dead_link, unknown_link};
use crate::service::Shortener;

/// Permanent redirects may be cached by browsers, but not for ever: a day, privately, so
/// that an owner's change still reaches returning visitors (and their clicks get counted).
const PERMANENT_CACHE: HeaderValue = HeaderValue::from_static("private, max-age=86400");
/// Temporary redirects are not cached, so every click reaches us and is counted.
const TEMPORARY_CACHE: HeaderValue = HeaderValue::from_static("no-store");

/// Follow a short link: 302 (or the link's own 301/307/308) to the long URL; an HTML 404
/// page for unknown codes and 410 for disabled, expired or used-up links. `HEAD` answers
/// the same without counting a click.
///
/// `curl -i localhost:8080/shortener/abc123`
#[utoipa::path(
    get,
    path = "/{code}",
    params(("code" = String, Path, description = "Short code or alias")),
    responses(
        (status = 302, description = "Redirect to the long URL (301, 307 or 308 if the link says so)"),
        (status = 404, description = "HTML page: no such link", content_type = "text/html"),
        (status = 410, description = "HTML page: disabled, expired or used up", content_type = "text/html"),
    )
)]
pub async fn follow_link(
    State(state): State<Arc<Shortener>>,
    Path(code): Path<String>,
    method: Method,
    ClientIp(ip): ClientIp,
    OriginalUri(original): OriginalUri,
    headers: ClickHeaders,
) -> Response {
    // The mount path: everything before the code's segment.
    let home = || {
        original
            .path()
            .rsplit_once('/')
            .map_or("", |(mount, _)| mount)
            .to_owned()
    };
    if !looks_like_code(&code) {
        return unknown_link(&home());
    }
    let link = match state.resolve(&code).await {
        Ok(Some(link)) => link,
        Ok(None) => return unknown_link(&home()),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let counts = method != Method::HEAD;
    if let Some(reason) = why_dead(&link, counts) {
        return dead_link(reason, &home());
    }
    if counts {
        state.clicks.record(&headers.click(link.record.id, ip));
    }
    let cache = if link.status == StatusCode::MOVED_PERMANENTLY
        || link.status == StatusCode::PERMANENT_REDIRECT
    {
        PERMANENT_CACHE
    } else {
        TEMPORARY_CACHE
    };
    (
        link.status,
        [
            (header::LOCATION, link.location.clone()),
            (header::CACHE_CONTROL, cache),
        ],
    )
        .into_response()
}

/// Whether the link refuses to redirect; a counted visit of a capped link takes one of
/// its clicks here.
fn why_dead(link: &CachedLink, counts: bool) -> Option<Dead> {
    let record = &link.record;
    if !record.enabled {
        return Some(Dead::Disabled);
    }
    if record.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Some(Dead::Expired);
    }
    if let Some(cap) = record.max_clicks {
        let served = if counts {
            link.served.fetch_add(1, Ordering::AcqRel)
        } else {
            link.served.load(Ordering::Acquire)
        };
        let used = link
            .clicks_at_load
            .saturating_add(i64::try_from(served).unwrap_or(i64::MAX));
        if used >= cap {
            return Some(Dead::UsedUp);
        }
    }
    None
}
