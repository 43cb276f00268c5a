//! The `/todos` endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::http::extract::{Json, Path};
use groundwork_platform::pagination::Paginated;

use super::request::{ListQuery, PatchTodoRequest, TodoRequest};
use super::{Caller, TodoResponse, TodoService, item_id};
use crate::error::{Body, MessageBody, Params, TodoError};

type TodoResult<T> = Result<T, TodoError>;

/// Create a to-do item.
#[utoipa::path(
    post,
    path = "/todos",
    request_body = TodoRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new item", body = TodoResponse),
        (status = 400, description = "Invalid body, a message per field", body = MessageBody),
        (status = 401, description = "Missing or invalid token: `{\"message\": \"Unauthorized\"}`", body = MessageBody),
        (status = 409, description = "The account holds the most items it may (`todo.max_items_per_user`)", body = MessageBody),
    )
)]
pub async fn create_todo(
    State(todos): State<TodoService>,
    Caller(owner): Caller,
    Body(request): Body<TodoRequest>,
) -> TodoResult<(StatusCode, Json<TodoResponse>)> {
    let item = todos.create(owner, request.into_new()?).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// List the caller's items, a page at a time.
#[utoipa::path(
    get,
    path = "/todos",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<TodoResponse>),
        (status = 400, description = "Bad filter, sort or paging value", body = MessageBody),
        (status = 401, description = "Missing or invalid token", body = MessageBody),
    )
)]
pub async fn list_todos(
    State(todos): State<TodoService>,
    Caller(owner): Caller,
    Params(query): Params<ListQuery>,
) -> TodoResult<Json<Paginated<TodoResponse>>> {
    let (filter, page) = query.parse()?;
    Ok(Json(todos.list(owner, &filter, page).await?))
}

/// Get one of the caller's items.
#[utoipa::path(
    get,
    path = "/todos/{id}",
    params(("id" = i64, Path, description = "Item id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The item", body = TodoResponse),
        (status = 401, description = "Missing or invalid token", body = MessageBody),
        (status = 403, description = "Someone else's item: `{\"message\": \"Forbidden\"}`", body = MessageBody),
        (status = 404, description = "No such item", body = MessageBody),
    )
)]
pub async fn get_todo(
    State(todos): State<TodoService>,
    Caller(owner): Caller,
    Path(id): Path<String>,
) -> TodoResult<Json<TodoResponse>> {
    Ok(Json(todos.get(owner, item_id(&id)?).await?))
}

/// Replace an item's title and description (and status, priority, due date when given).
#[utoipa::path(
    put,
    path = "/todos/{id}",
    params(("id" = i64, Path, description = "Item id")),
    request_body = TodoRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated item", body = TodoResponse),
        (status = 400, description = "Invalid body", body = MessageBody),
        (status = 401, description = "Missing or invalid token", body = MessageBody),
        (status = 403, description = "Someone else's item: `{\"message\": \"Forbidden\"}`", body = MessageBody),
        (status = 404, description = "No such item", body = MessageBody),
    )
)]
pub async fn replace_todo(
    State(todos): State<TodoService>,
    Caller(owner): Caller,
    Path(id): Path<String>,
    Body(request): Body<TodoRequest>,
) -> TodoResult<Json<TodoResponse>> {
    let id = item_id(&id)?;
    let changes = request.into_replacement()?;
    Ok(Json(todos.update(owner, id, changes).await?))
}

/// Change some fields of an item.
#[utoipa::path(
    patch,
    path = "/todos/{id}",
    params(("id" = i64, Path, description = "Item id")),
    request_body = PatchTodoRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated item", body = TodoResponse),
        (status = 400, description = "Invalid or empty body", body = MessageBody),
        (status = 401, description = "Missing or invalid token", body = MessageBody),
        (status = 403, description = "Someone else's item", body = MessageBody),
        (status = 404, description = "No such item", body = MessageBody),
    )
)]
pub async fn patch_todo(
    State(todos): State<TodoService>,
    Caller(owner): Caller,
    Path(id): Path<String>,
    Body(request): Body<PatchTodoRequest>,
) -> TodoResult<Json<TodoResponse>> {
    let id = item_id(&id)?;
    let changes = request.into_changes()?;
    Ok(Json(todos.update(owner, id, changes).await?))
}

/// Delete an item.
#[utoipa::path(
    delete,
    path = "/todos/{id}",
    params(("id" = i64, Path, description = "Item id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid token", body = MessageBody),
        (status = 403, description = "Someone else's item", body = MessageBody),
        (status = 404, description = "No such item", body = MessageBody),
    )
)]
pub async fn delete_todo(
    State(todos): State<TodoService>,
    Caller(owner): Caller,
    Path(id): Path<String>,
) -> TodoResult<StatusCode> {
    todos.delete(owner, item_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
