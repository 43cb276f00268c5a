//! `POST /auth/login`.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::TokenResponse;
use crate::auth::service::AuthService;
use crate::error::{ApiError, Problem};
use crate::http::client_ip::ClientIp;
use crate::http::extract::Json;
use crate::http::no_store::NoStore;

/// Credentials.
// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email (any case).
    email: String,
    /// Password.
    password: String,
}

/// Sign in with email and password.
///
/// Unknown emails and wrong passwords get the same 401. Failed attempts are limited per
/// client address and per account; past the limit every attempt gets 429 with
/// `Retry-After`, correct password or not.
#[utoipa::path(
    post,
    path = "/login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password (`invalid_credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(auth): State<AuthService>,
    ClientIp(client): ClientIp,
    Json(request): Json<LoginRequest>,
) -> Result<NoStore<Json<TokenResponse>>, ApiError> {
    let session = auth
        .login(&request.email, &request.password, client)
        .await?;
    Ok(NoStore(Json(session.into())))
}
