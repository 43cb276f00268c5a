//! `POST /auth/register`.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::TokenResponse;
use crate::auth::email::Email;
use crate::auth::password::NewPassword;
use crate::auth::service::{AuthService, Registration, parse_name};
use crate::error::{ApiError, Problem};
use crate::http::extract::Json;
use crate::http::no_store::NoStore;

/// A new account. Unknown fields (such as `role`) are refused rather than ignored.
// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Email; trimmed and lowercased.
    email: String,
    /// At least 8 characters, not one character repeated, at most 256 bytes.
    password: String,
    /// Optional display name (1 to 100 characters).
    #[serde(default)]
    name: Option<String>,
}

impl RegisterRequest {
    fn parse(self) -> Result<Registration, ApiError> {
        let email = Email::parse(&self.email);
        let password = NewPassword::parse("password", &self.password);
        let name = self
            .name
            .as_deref()
            .map(|n| parse_name("name", n))
            .transpose();
        match (email, password, name) {
            (Ok(email), Ok(password), Ok(name)) => Ok(Registration {
                email,
                password,
                name,
            }),
            (email, password, name) => Err(ApiError::validation(
                [email.err(), password.err(), name.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }
}

/// Create an account and sign it in.
#[utoipa::path(
    post,
    path = "/register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = TokenResponse),
        (status = 409, description = "Email already registered (`email_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid email, password or name", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    State(auth): State<AuthService>,
    Json(request): Json<RegisterRequest>,
) -> Result<NoStore<(StatusCode, Json<TokenResponse>)>, ApiError> {
    let session = auth.register(request.parse()?).await?;
    Ok(NoStore((StatusCode::CREATED, Json(session.into()))))
}
