//! `/todos`: each account's own items. Every query is scoped to the caller in the
//! repository (`WHERE owner_id = ?`); only when that finds nothing does a second lookup
//! decide between 404 (no such item) and the spec's 403 (someone else's item), and the
//! 403 says nothing about the item.

mod handlers;
mod repo;
mod request;
mod service;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::auth::extract::authenticate_allowing_bare_token;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::domain::{Priority, Status};
use crate::entities::items;
use crate::error::TodoError;

pub use request::{ListQuery, PatchTodoRequest, TodoRequest};
pub use service::{ItemChanges, ItemFilter, NewItem, SortKey, TodoService};

/// The `/todos` routes, with the service as state.
pub fn router(service: TodoService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(handlers::create_todo, handlers::list_todos))
        .routes(routes!(
            handlers::get_todo,
            handlers::replace_todo,
            handlers::patch_todo,
            handlers::delete_todo
        ))
        .with_state(service)
}

/// An item as the spec shows it (`id`, `title`, `description`) plus our fields.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TodoResponse {
    /// Numeric id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// `todo`, `in-progress` or `done`.
    pub status: Status,
    /// `low`, `medium` or `high`.
    pub priority: Priority,
    /// Due date (`YYYY-MM-DD`), or null.
    pub due_date: Option<NaiveDate>,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<items::Model> for TodoResponse {
    fn from(row: items::Model) -> Self {
        Self {
            id: row.id,
            title: row.title,
            description: row.description,
            status: Status::parse("status", &row.status).unwrap_or(Status::Todo),
            priority: Priority::from_rank(row.priority),
            due_date: row.due_date,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The signed-in caller. A missing or bad token is the spec's 401
/// `{"message": "Unauthorized"}`. `Authorization: Bearer <token>` and the bare token
/// (the spec: "the `Authorization` header with the token as the value") both work.
#[derive(Clone, Copy, Debug)]
pub struct Caller(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = TodoError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, TodoError> {
        match authenticate_allowing_bare_token(parts)? {
            Some(user) => Ok(Caller(user.id)),
            None => Err(ApiError::unauthorized("missing_token", "Unauthorized").into()),
        }
    }
}

/// Item ids are numbers; anything else names no item (404).
fn item_id(raw: &str) -> Result<i64, TodoError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| crate::error::not_found().into())
}
