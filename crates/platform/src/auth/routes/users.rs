//! Admin-only account management: `GET /auth/users`, `POST /auth/users/{id}/role`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::UserResponse;
use crate::auth::extract::Admin;
use crate::auth::service::AuthService;
use crate::error::{ApiError, Problem};
use crate::http::extract::{Json, Path, Query};
use crate::pagination::{PageQuery, Paginated};

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// Accounts on this page, oldest first.
    pub data: Vec<UserResponse>,
    /// Page number.
    pub page: u64,
    /// Page size.
    pub limit: u64,
    /// Accounts in total.
    pub total: u64,
}

/// The new role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoleRequest {
    /// `user`, `admin`, or a role a mounted system defines.
    role: String,
}

/// List accounts (admin only).
#[utoipa::path(
    get,
    path = "/users",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of accounts", body = UserPage),
        (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or limit", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_users(
    State(auth): State<AuthService>,
    _admin: Admin,
    Query(query): Query<PageQuery>,
) -> Result<Json<UserPage>, ApiError> {
    let Paginated {
        data,
        page,
        limit,
        total,
    } = auth.list_users(query.page()?).await?;
    Ok(Json(UserPage {
        data: data.into_iter().map(Into::into).collect(),
        page,
        limit,
        total,
    }))
}

/// Change an account's role (admin only). The last admin cannot be demoted.
#[utoipa::path(
    post,
    path = "/users/{id}/role",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = SetRoleRequest,
    responses(
        (status = 200, description = "The account with its new role", body = UserResponse),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would demote the last admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_role(
    State(auth): State<AuthService>,
    _admin: Admin,
    Path(id): Path<Uuid>,
    Json(request): Json<SetRoleRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    Ok(Json(auth.set_role(id, &request.role).await?.into()))
}
