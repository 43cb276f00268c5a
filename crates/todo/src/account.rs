//! `POST /register`, `POST /login` (the spec's two), and the bonus `POST /refresh` and
//! `POST /logout`, over the platform's accounts and sessions.
//!
//! Both spec endpoints answer `{"token": ...}`. The token is the platform's short-lived
//! JWT (15 minutes by default); `refreshToken` exchanges for a new pair at `/refresh`
//! (rotated on every use, and a reused one revokes the session).

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::ApiError;
use groundwork_platform::auth::email::Email;
use groundwork_platform::auth::password::NewPassword;
use groundwork_platform::auth::service::{AuthService, Registration, Session, parse_name};
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::Json;
use groundwork_platform::http::no_store::NoStore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Body, MessageBody, TodoError};

/// The account routes, with the platform's auth service as state.
pub fn router(auth: AuthService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .with_state(auth)
}

/// A new account, as the spec sends it.
// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Display name (1 to 100 characters).
    name: String,
    /// Email; trimmed and lowercased, unique.
    email: String,
    /// At least 8 characters, not one character repeated, at most 256 bytes.
    password: String,
}

impl RegisterRequest {
    fn parse(self) -> Result<Registration, ApiError> {
        let name = parse_name("name", &self.name);
        let email = Email::parse(&self.email);
        let password = NewPassword::parse("password", &self.password);
        match (name, email, password) {
            (Ok(name), Ok(email), Ok(password)) => Ok(Registration {
                email,
                password,
                name: Some(name),
            }),
            (name, email, password) => Err(ApiError::validation(
                [name.err(), email.err(), password.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }
}

/// Credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email.
    email: String,
    /// Password.
    password: String,
}

/// A refresh token to exchange or revoke.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshRequest {
    /// The `refreshToken` of an earlier answer.
    refresh_token: String,
}

/// The spec's `{"token": ...}`, plus the refresh token and the token's lifetime.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// Access token (JWT) for `Authorization: Bearer <token>` (or the bare token).
    pub token: String,
    /// Opaque token for `POST /refresh`; used once, then replaced.
    pub refresh_token: String,
    /// Seconds until `token` expires.
    pub expires_in: u64,
}

impl From<Session> for TokenResponse {
    fn from(session: Session) -> Self {
        Self {
            token: session.access_token,
            refresh_token: session.refresh_token,
            expires_in: session.expires_in,
        }
    }
}

type TokenResult = Result<NoStore<(StatusCode, Json<TokenResponse>)>, TodoError>;

/// Register: creates the account and signs it in.
#[utoipa::path(
    post,
    path = "/register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created; its token", body = TokenResponse),
        (status = 400, description = "Invalid name, email or password", body = MessageBody),
        (status = 409, description = "Email already registered", body = MessageBody),
    )
)]
pub async fn register(
    State(auth): State<AuthService>,
    Body(request): Body<RegisterRequest>,
) -> TokenResult {
    let session = auth.register(request.parse()?).await?;
    Ok(NoStore((StatusCode::CREATED, Json(session.into()))))
}

/// Log in with email and password.
#[utoipa::path(
    post,
    path = "/login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the token", body = TokenResponse),
        (status = 400, description = "Malformed body", body = MessageBody),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = MessageBody),
        (status = 429, description = "Too many failed attempts", body = MessageBody),
    )
)]
pub async fn login(
    State(auth): State<AuthService>,
    client: ClientIp,
    Body(request): Body<LoginRequest>,
) -> TokenResult {
    let session = auth
        .login(&request.email, &request.password, client.0)
        .await?;
    Ok(NoStore((StatusCode::OK, Json(session.into()))))
}

/// Exchange a refresh token for a new token pair.
#[utoipa::path(
    post,
    path = "/refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens; the old refresh token is spent", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = MessageBody),
    )
)]
pub async fn refresh(
    State(auth): State<AuthService>,
    Body(request): Body<RefreshRequest>,
) -> TokenResult {
    let session = auth.refresh(&request.refresh_token).await?;
    Ok(NoStore((StatusCode::OK, Json(session.into()))))
}

/// Revoke the session a refresh token belongs to (idempotent).
#[utoipa::path(
    post,
    path = "/logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
pub async fn logout(
    State(auth): State<AuthService>,
    Body(request): Body<RefreshRequest>,
) -> Result<StatusCode, TodoError> {
    auth.logout(&request.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
