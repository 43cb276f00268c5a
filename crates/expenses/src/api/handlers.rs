//! The `/expenses` endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::pagination::Paginated;
use uuid::Uuid;

use super::request::{ExpenseRequest, ListQuery, PreferencesRequest, SummaryQuery};
use super::response::{ExpenseResponse, PreferencesResponse, SummaryResponse};
use crate::service::{ExpenseService, default_preferences};

/// Expense ids are UUIDs; anything else names no expense.
fn expense_id(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("expense"))
}

/// Record an expense.
#[utoipa::path(
    post,
    path = "/",
    request_body = ExpenseRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = ExpenseResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account holds the most expenses it may", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid amount, currency, category, description or date", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_expense(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
    Json(request): Json<ExpenseRequest>,
) -> Result<(StatusCode, Json<ExpenseResponse>), ApiError> {
    let preferences = expenses.preferences(user.id).await?;
    let fields = request.into_fields(&preferences)?;
    let row = expenses.create(user.id, fields).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// List your expenses, newest day first.
#[utoipa::path(
    get,
    path = "/",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<ExpenseResponse>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or paging value (`from` after `to`, unknown period or category)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_expenses(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<Paginated<ExpenseResponse>>, ApiError> {
    // The preferences only say what "today" is, which only a period needs: the busiest
    // request (a plain page) saves a query.
    let preferences = if query.names_a_period() {
        expenses.preferences(user.id).await?
    } else {
        default_preferences()
    };
    let (filter, page) = query.parse(&preferences)?;
    let (rows, total) = expenses.list(user.id, &filter, page).await?;
    let data = rows.into_iter().map(Into::into).collect();
    Ok(Json(Paginated::new(data, page, total)))
}

/// Totals by currency, category and month, for the same filters as the list.
#[utoipa::path(
    get,
    path = "/summary",
    params(SummaryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The totals", body = SummaryResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn summarize_expenses(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
    Query(query): Query<SummaryQuery>,
) -> Result<Json<SummaryResponse>, ApiError> {
    let preferences = expenses.preferences(user.id).await?;
    let filter = query.parse(&preferences)?;
    let summary = expenses.summary(user.id, &filter).await?;
    Ok(Json(SummaryResponse::new(
        summary,
        filter.from,
        filter.to,
        &preferences,
    )))
}

/// Your time zone and default currency.
#[utoipa::path(
    get,
    path = "/preferences",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Preferences (UTC and USD until set)", body = PreferencesResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_preferences(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
) -> Result<Json<PreferencesResponse>, ApiError> {
    Ok(Json(expenses.preferences(user.id).await?.into()))
}

/// Set your time zone and/or default currency.
#[utoipa::path(
    put,
    path = "/preferences",
    request_body = PreferencesRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new preferences", body = PreferencesResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown time zone or currency", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_preferences(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
    Json(request): Json<PreferencesRequest>,
) -> Result<Json<PreferencesResponse>, ApiError> {
    let current = expenses.preferences(user.id).await?;
    let preferences = request.apply(current)?;
    expenses.set_preferences(user.id, preferences).await?;
    Ok(Json(preferences.into()))
}

/// One of your expenses.
#[utoipa::path(
    get,
    path = "/{id}",
    params(("id" = Uuid, Path, description = "Expense id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The expense", body = ExpenseResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such expense of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_expense(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ExpenseResponse>, ApiError> {
    Ok(Json(expenses.get(user.id, expense_id(&id)?).await?.into()))
}

/// Replace one of your expenses.
#[utoipa::path(
    put,
    path = "/{id}",
    params(("id" = Uuid, Path, description = "Expense id")),
    request_body = ExpenseRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new version", body = ExpenseResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such expense of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_expense(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(request): Json<ExpenseRequest>,
) -> Result<Json<ExpenseResponse>, ApiError> {
    let id = expense_id(&id)?;
    let preferences = expenses.preferences(user.id).await?;
    let fields = request.into_fields(&preferences)?;
    Ok(Json(expenses.replace(user.id, id, fields).await?.into()))
}

/// Delete one of your expenses.
#[utoipa::path(
    delete,
    path = "/{id}",
    params(("id" = Uuid, Path, description = "Expense id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such expense of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_expense(
    State(expenses): State<ExpenseService>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    expenses.delete(user.id, expense_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
