//! `GET /auth/me` and `PATCH /auth/me`.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::UserResponse;
use crate::auth::extract::AuthUser;
use crate::auth::password::NewPassword;
use crate::auth::service::{AuthService, ProfileUpdate, parse_name};
use crate::error::{ApiError, FieldError, Problem};
use crate::http::extract::Json;
use crate::http::no_store::NoStore;

/// Changes to one's own account. Omitted fields stay as they are; `"name": null` clears
/// the name. Changing the password needs the current one and signs out every session.
// No `Debug`: it holds passwords.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateMeRequest {
    /// New display name, or null to clear it.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<String>)]
    name: Option<Option<String>>,
    /// Required with `newPassword`.
    current_password: Option<String>,
    /// The new password (same policy as registration).
    new_password: Option<String>,
}

impl UpdateMeRequest {
    fn parse(self) -> Result<ProfileUpdate, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let name = match self.name {
            Some(Some(raw)) => parse_name("name", &raw)
                .map(|n| Some(Some(n)))
                .unwrap_or_else(|e| {
                    errors.push(e);
                    None
                }),
            Some(None) => Some(None),
            None => None,
        };
        let password = match (self.current_password, self.new_password) {
            (Some(current), Some(new)) => match NewPassword::parse("newPassword", &new) {
                Ok(new) => Some((current, new)),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            (None, Some(_)) => {
                errors.push(FieldError::new(
                    "currentPassword",
                    "required",
                    "needed to change the password",
                ));
                None
            }
            (Some(_), None) => {
                errors.push(FieldError::new(
                    "newPassword",
                    "required",
                    "the new password is missing",
                ));
                None
            }
            (None, None) => None,
        };
        if errors.is_empty() {
            Ok(ProfileUpdate { name, password })
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

/// The signed-in account.
#[utoipa::path(
    get,
    path = "/me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserResponse),
        (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_me(
    State(auth): State<AuthService>,
    user: AuthUser,
) -> Result<NoStore<Json<UserResponse>>, ApiError> {
    Ok(NoStore(Json(auth.current_user(user.id).await?.into())))
}

/// Change one's name or password.
#[utoipa::path(
    patch,
    path = "/me",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The updated account", body = UserResponse),
        (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name or password, or wrong current password", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_me(
    State(auth): State<AuthService>,
    user: AuthUser,
    Json(request): Json<UpdateMeRequest>,
) -> Result<NoStore<Json<UserResponse>>, ApiError> {
    let update = request.parse()?;
    Ok(NoStore(Json(
        auth.update_profile(user.id, update).await?.into(),
    )))
}
