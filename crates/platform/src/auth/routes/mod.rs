//! The `/auth` HTTP API: request and response shapes, and the router.

mod login;
mod me;
mod register;
mod session;
mod users;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::service::{AuthService, Session, User};

/// Every `/auth` route, with the auth service as state.
pub fn router(auth: AuthService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(register::register))
        .routes(routes!(login::login))
        .routes(routes!(session::refresh))
        .routes(routes!(session::logout))
        .routes(routes!(me::get_me, me::update_me))
        .routes(routes!(users::list_users))
        .routes(routes!(users::set_role))
        .with_state(auth)
}

/// An account as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    /// Account id (UUID v7).
    pub id: Uuid,
    /// Normalised email.
    pub email: String,
    /// Display name, if set.
    pub name: Option<String>,
    /// `user`, `admin`, or a system role.
    pub role: String,
    /// Creation time, UTC.
    pub created_at: DateTime<Utc>,
    /// Last change, UTC.
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// Tokens in the OAuth 2.0 token-response shape (RFC 6749 section 5.1), plus the account.
// No `Debug`: it holds tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until `access_token` expires.
    pub expires_in: u64,
    /// Opaque token for `POST /auth/refresh`; single use.
    pub refresh_token: String,
    /// The signed-in account.
    pub user: UserResponse,
}

impl From<Session> for TokenResponse {
    fn from(session: Session) -> Self {
        Self {
            access_token: session.access_token,
            token_type: "Bearer",
            expires_in: session.expires_in,
            refresh_token: session.refresh_token,
            user: session.user.into(),
        }
    }
}
