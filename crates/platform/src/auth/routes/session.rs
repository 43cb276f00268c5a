//! `POST /auth/refresh` and `POST /auth/logout`.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::TokenResponse;
use crate::auth::service::AuthService;
use crate::error::{ApiError, Problem};
use crate::http::extract::Json;
use crate::http::no_store::NoStore;

/// A refresh token, named as in OAuth 2.0.
// No `Debug`: it holds a token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from a previous token response.
    refresh_token: String,
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// Each refresh token works once. Presenting one that was already exchanged revokes the
/// whole session (`refresh_token_reused`): it means the token was copied.
#[utoipa::path(
    post,
    path = "/refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refresh(
    State(auth): State<AuthService>,
    Json(request): Json<RefreshRequest>,
) -> Result<NoStore<Json<TokenResponse>>, ApiError> {
    Ok(NoStore(Json(
        auth.refresh(&request.refresh_token).await?.into(),
    )))
}

/// End the session: revokes the refresh token and every token rotated from the same login.
/// Unknown tokens are accepted silently, so logging out twice is fine.
#[utoipa::path(
    post,
    path = "/logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Session ended")),
)]
pub async fn logout(
    State(auth): State<AuthService>,
    Json(request): Json<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    auth.logout(&request.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
