//! The `/exercises` endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::ApiError;
use groundwork_platform::auth::{AuthUser, MaybeUser};
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::pagination::Paginated;

use super::request::{ExerciseQuery, ExerciseRequest};
use super::{ExerciseResponse, ExerciseService};

/// Exercise ids are numbers; anything else names no exercise.
fn exercise_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("exercise"))
}

/// Browse the catalogue and your own exercises, by name.
///
/// Example: `GET /fitness/exercises?category=strength&muscleGroup=legs&q=squat`.
#[utoipa::path(
    get,
    path = "/exercises",
    params(ExerciseQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`; anonymous callers see the catalogue only", body = Paginated<ExerciseResponse>),
        (status = 422, description = "Unknown category, muscle group or source", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_exercises(
    State(exercises): State<ExerciseService>,
    MaybeUser(viewer): MaybeUser,
    Query(query): Query<ExerciseQuery>,
) -> Result<Json<Paginated<ExerciseResponse>>, ApiError> {
    let (filter, page) = query.parse()?;
    Ok(Json(exercises.list(viewer.as_ref(), &filter, page).await?))
}

/// Add a private exercise (or, with `"shared": true`, a catalogue entry: admins only).
///
/// Example body: `{"name": "Sled Push", "category": "strength", "muscleGroup": "legs",
/// "description": "Push a loaded sled 20 m."}`.
#[utoipa::path(
    post,
    path = "/exercises",
    request_body = ExerciseRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = ExerciseResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`shared` without being an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You (or the catalogue) already have an exercise of this name", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_exercise(
    State(exercises): State<ExerciseService>,
    user: AuthUser,
    Json(request): Json<ExerciseRequest>,
) -> Result<(StatusCode, Json<ExerciseResponse>), ApiError> {
    let fields = request.fields()?;
    let created = exercises.create(&user, fields, request.shared).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One exercise (the catalogue's, or your own).
///
/// Example: `GET /fitness/exercises/15` → `{"id": 15, "name": "Back Squat", "category": "strength", "muscleGroup": "legs", "custom": false, ...}`.
#[utoipa::path(
    get,
    path = "/exercises/{id}",
    params(("id" = i64, Path, description = "Exercise id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The exercise", body = ExerciseResponse),
        (status = 404, description = "No such exercise, or someone else's private one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_exercise(
    State(exercises): State<ExerciseService>,
    MaybeUser(viewer): MaybeUser,
    Path(id): Path<String>,
) -> Result<Json<ExerciseResponse>, ApiError> {
    Ok(Json(
        exercises.get(viewer.as_ref(), exercise_id(&id)?).await?,
    ))
}

/// Change one of your exercises (catalogue entries: admins only).
///
/// Example: `PUT /fitness/exercises/69` with `{"name": "Sled Drag", "category": "strength", "muscleGroup": "legs"}`.
#[utoipa::path(
    put,
    path = "/exercises/{id}",
    params(("id" = i64, Path, description = "Exercise id")),
    request_body = ExerciseRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new version", body = ExerciseResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A catalogue entry, and you are not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exercise, or someone else's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_exercise(
    State(exercises): State<ExerciseService>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(request): Json<ExerciseRequest>,
) -> Result<Json<ExerciseResponse>, ApiError> {
    let id = exercise_id(&id)?;
    Ok(Json(exercises.update(&user, id, request.fields()?).await?))
}

/// Delete one of your exercises (catalogue entries: admins only).
///
/// Example: `DELETE /fitness/exercises/69` → 204, or 409 while workouts use it.
#[utoipa::path(
    delete,
    path = "/exercises/{id}",
    params(("id" = i64, Path, description = "Exercise id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A catalogue entry, and you are not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exercise, or someone else's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Workouts use it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_exercise(
    State(exercises): State<ExerciseService>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    exercises.delete(&user, exercise_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
