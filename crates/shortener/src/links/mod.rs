//! `/shorten`: the roadmap API (create, read, update, delete, stats) and Bitly-lite's
//! additions (aliases, expiry, click caps, enable/disable, an account's list, analytics).

mod handlers;
pub mod repo;
pub mod request;

use std::sync::Arc;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::auth::extract::AuthUser;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::entities::links;
use crate::service::Shortener;
use crate::target::host_without_port;

pub use handlers::{create_link_from, creation_error_message};
pub use request::{CreateLinkRequest, UpdateLinkRequest};

/// The `/shorten` routes.
pub fn router(state: Arc<Shortener>) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(handlers::create_link, handlers::list_links))
        .routes(routes!(
            handlers::get_link,
            handlers::replace_link,
            handlers::patch_link,
            handlers::delete_link
        ))
        .routes(routes!(handlers::link_stats))
        .routes(routes!(crate::analytics::link_analytics))
        .with_state(state)
}

/// A link as the spec shows it (`id` as a string, `url`, `shortCode`, `createdAt`,
/// `updatedAt`) plus Bitly-lite's fields.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkResponse {
    /// Numeric id, as a string (the spec's `"id": "1"`).
    pub id: String,
    /// The long URL.
    pub url: String,
    /// The code (random or alias).
    pub short_code: String,
    /// The full short link.
    pub short_url: String,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
    /// 301, 302, 307 or 308.
    pub redirect_type: u16,
    /// When it stops redirecting, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// After how many clicks it stops redirecting, if ever.
    pub max_clicks: Option<i64>,
    /// Whether it redirects at all.
    pub enabled: bool,
}

impl LinkResponse {
    /// The response for a row, with short links under `base`.
    pub fn new(row: links::Model, base: &str) -> Self {
        Self {
            id: row.id.to_string(),
            short_url: format!("{base}/{}", row.code),
            url: row.url,
            short_code: row.code,
            created_at: row.created_at,
            updated_at: row.updated_at,
            redirect_type: u16::try_from(row.redirect_status).unwrap_or(302),
            expires_at: row.expires_at,
            max_clicks: row.max_clicks,
            enabled: row.enabled,
        }
    }
}

/// `GET /shorten/{code}/stats`: the link and how often it was accessed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsResponse {
    /// The link.
    #[serde(flatten)]
    pub link: LinkResponse,
    /// Redirects and `GET /shorten/{code}` reads, all instances, up to now.
    pub access_count: i64,
}

/// Where this request reached us: the base of short links (`http://host/shortener`) and
/// the host (refused as a link target: it would loop).
pub struct Site {
    /// `scheme://host[:port]/mount`, no trailing slash.
    pub base: String,
    /// The request's host, without port.
    pub host: Option<String>,
}

impl FromRequestParts<Arc<Shortener>> for Site {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<Shortener>,
    ) -> Result<Self, Self::Rejection> {
        let authority = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()));
        let host = authority
            .as_deref()
            .map(|a| host_without_port(a).to_owned());
        if let Some(public) = &state.settings.public_url {
            return Ok(Self {
                base: public.trim_end_matches('/').to_owned(),
                host,
            });
        }
        // Nested routers see their path without the mount prefix; the original URI has it.
        let inner = parts.uri.path();
        let original = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(inner, |uri| uri.0.path());
        let mount = if inner == "/" {
            original.trim_end_matches('/')
        } else {
            original.strip_suffix(inner).unwrap_or("")
        };
        let https = state.trust_forwarded
            && parts
                .headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
        let scheme = if https { "https" } else { "http" };
        Ok(Self {
            base: format!(
                "{scheme}://{}{mount}",
                authority.as_deref().unwrap_or("localhost")
            ),
            host,
        })
    }
}

/// Whether `caller` may change or delete `link`: its owner or an admin; anyone for
/// anonymous links unless `anonymous_links_editable` is off.
pub fn check_may_change(
    link: &links::Model,
    caller: Option<&AuthUser>,
    anonymous_editable: bool,
) -> Result<(), ApiError> {
    if caller.is_some_and(|user| user.has_role("admin")) {
        return Ok(());
    }
    match (link.owner_id, caller) {
        (None, _) if anonymous_editable => Ok(()),
        (None, _) => Err(ApiError::forbidden(
            "links made without an account cannot be changed here",
        )),
        (Some(owner), Some(user)) if user.id == owner => Ok(()),
        (Some(_), Some(_)) => Err(ApiError::forbidden("this link belongs to another account")),
        (Some(_), None) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "this link belongs to an account; sign in as its owner",
        )),
    }
}
