//! `/workouts/{id}/comments`: the owner's remarks on a workout (how it felt, what to
//! change), oldest first. Only the workout's owner may read or write them; anyone else's
//! workout is a 404, as everywhere in this system.

mod repo;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::error::checked_text;
use groundwork_platform::http::extract::{Json, Path};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::entities::comments;

/// Most comments on one workout.
pub const MAX_COMMENTS: u64 = 500;

/// The comment routes.
pub fn router(db: DatabaseConnection) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(edit_comment, delete_comment))
        .with_state(db)
}

/// A comment's text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// 1 to 5 000 characters.
    body: String,
}

impl CommentRequest {
    fn body(&self) -> Result<String, ApiError> {
        checked_text("body", &self.body, 5_000, true).map_err(|e| ApiError::validation(vec![e]))
    }
}

/// A comment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentResponse {
    /// Id.
    pub id: i64,
    /// The workout.
    pub workout_id: i64,
    /// Text.
    pub body: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<comments::Model> for CommentResponse {
    fn from(row: comments::Model) -> Self {
        Self {
            id: row.id,
            workout_id: row.workout_id,
            body: row.body,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn number(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}

/// 404 unless the workout is the caller's.
async fn own_workout(db: &DatabaseConnection, owner: Uuid, raw_id: &str) -> Result<i64, ApiError> {
    let id = number(raw_id, "workout")?;
    if repo::owns_workout(db, owner, id).await? {
        Ok(id)
    } else {
        Err(ApiError::not_found("workout"))
    }
}

/// The comment, if it is on this workout of the caller's.
async fn own_comment(
    db: &DatabaseConnection,
    owner: Uuid,
    workout: &str,
    comment: &str,
) -> Result<comments::Model, ApiError> {
    let workout = own_workout(db, owner, workout).await?;
    repo::find(db, workout, number(comment, "comment")?)
        .await?
        .ok_or_else(|| ApiError::not_found("comment"))
}

/// A workout's comments, oldest first.
///
/// Example: `GET /fitness/workouts/3/comments` → `[{"id": 1, "workoutId": 3, "body": "Squats felt heavy", ...}]`.
#[utoipa::path(
    get,
    path = "/workouts/{id}/comments",
    params(("id" = i64, Path, description = "Workout id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first", body = Vec<CommentResponse>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workout of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_comments(
    State(db): State<DatabaseConnection>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommentResponse>>, ApiError> {
    let workout = own_workout(&db, user.id, &id).await?;
    let rows = repo::list(&db, workout).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Comment on one of your workouts. Example body: `{"body": "Squats felt heavy; add 2.5 kg next week."}`.
#[utoipa::path(
    post,
    path = "/workouts/{id}/comments",
    params(("id" = i64, Path, description = "Workout id")),
    request_body = CommentRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = CommentResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workout of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The workout has 500 comments", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_comment(
    State(db): State<DatabaseConnection>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(request): Json<CommentRequest>,
) -> Result<(StatusCode, Json<CommentResponse>), ApiError> {
    let workout = own_workout(&db, user.id, &id).await?;
    let body = request.body()?;
    if repo::count(&db, workout).await? >= MAX_COMMENTS {
        return Err(ApiError::conflict(
            "too_many_comments",
            "a workout holds at most 500 comments",
        ));
    }
    let row = repo::insert(&db, workout, user.id, body).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Edit a comment.
///
/// Example: `PUT /fitness/workouts/3/comments/1` with `{"body": "Squats felt fine after all"}`.
#[utoipa::path(
    put,
    path = "/workouts/{id}/comments/{comment_id}",
    params(
        ("id" = i64, Path, description = "Workout id"),
        ("comment_id" = i64, Path, description = "Comment id"),
    ),
    request_body = CommentRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new text", body = CommentResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment on a workout of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn edit_comment(
    State(db): State<DatabaseConnection>,
    user: AuthUser,
    Path((id, comment_id)): Path<(String, String)>,
    Json(request): Json<CommentRequest>,
) -> Result<Json<CommentResponse>, ApiError> {
    let row = own_comment(&db, user.id, &id, &comment_id).await?;
    repo::update(&db, row, request.body()?)
        .await?
        .map(|row| Json(row.into()))
        .ok_or_else(|| ApiError::not_found("comment"))
}

/// Delete a comment.
///
/// Example: `DELETE /fitness/workouts/3/comments/1` → 204.
#[utoipa::path(
    delete,
    path = "/workouts/{id}/comments/{comment_id}",
    params(
        ("id" = i64, Path, description = "Workout id"),
        ("comment_id" = i64, Path, description = "Comment id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment on a workout of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_comment(
    State(db): State<DatabaseConnection>,
    user: AuthUser,
    Path((id, comment_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let row = own_comment(&db, user.id, &id, &comment_id).await?;
    repo::delete(&db, row.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
