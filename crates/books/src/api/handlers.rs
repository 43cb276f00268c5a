//! The `/books` endpoints.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path, Query};
use groundwork_platform::pagination::Paginated;
use uuid::Uuid;

use super::request::{BookRequest, ListQuery, ListRequest};
use crate::model::Book;
use crate::store::{BookStore, Catalog, Change, Entry, Outcome};

/// Book ids are UUIDs; anything else names no book.
fn book_id(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("book"))
}

fn saved(outcome: Outcome) -> Result<Book, ApiError> {
    match outcome {
        Outcome::Saved(entry) => Ok(entry.book.clone()),
        Outcome::Deleted => Err(ApiError::internal("a save answered as a delete")),
    }
}

/// Add a book.
#[utoipa::path(
    post,
    path = "/",
    request_body = BookRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added and on disk", body = Book),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "ISBN already in the catalog, or the catalog is full", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (ISBN checksum, year, lengths)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The file could not be written (nothing changed) or the write queue is full", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_book(
    State(store): State<BookStore>,
    user: AuthUser,
    Json(request): Json<BookRequest>,
) -> Result<(StatusCode, Json<Book>), ApiError> {
    let change = Change::Create(request.into_fields()?);
    let book = saved(store.change(change, user).await?)?;
    Ok((StatusCode::CREATED, Json(book)))
}

/// Search and page through the catalog.
#[utoipa::path(
    get,
    path = "/",
    params(ListQuery),
    responses(
        (status = 200, description = "`{data, page, limit, total}`", body = Paginated<Book>),
        (status = 422, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_books(
    State(store): State<BookStore>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Paginated<Book>>, ApiError> {
    let request = query.parse()?;
    let catalog = store.snapshot();
    Ok(Json(page_of(&catalog, &request)))
}

fn matches(entry: &Entry, request: &ListRequest) -> bool {
    let book = &entry.book;
    request
        .q
        .as_ref()
        .is_none_or(|q| entry.search.contains(q.as_str()))
        && request
            .author
            .as_ref()
            .is_none_or(|author| book.authors.iter().any(|a| a.to_lowercase() == *author))
        && request
            .tag
            .as_ref()
            .is_none_or(|tag| book.tags.contains(tag))
        && request
            .year
            .is_none_or(|year| book.published_year == Some(year))
}

/// One page in one pass over the catalog; without filters, straight off the ordered map.
fn page_of(catalog: &Catalog, request: &ListRequest) -> Paginated<Book> {
    let offset = usize::try_from(request.page.offset()).unwrap_or(usize::MAX);
    let limit = usize::try_from(request.page.limit).unwrap_or(usize::MAX);
    let ordered: Box<dyn Iterator<Item = &Arc<Entry>>> = if request.ascending {
        Box::new(catalog.entries())
    } else {
        Box::new(catalog.entries().rev())
    };
    if !request.filters() {
        let data = ordered
            .skip(offset)
            .take(limit)
            .map(|e| e.book.clone())
            .collect();
        return Paginated::new(data, request.page, catalog.len() as u64);
    }
    let mut total = 0usize;
    let mut data = Vec::with_capacity(limit.min(100));
    for entry in ordered.filter(|e| matches(e, request)) {
        if total >= offset && data.len() < limit {
            data.push(entry.book.clone());
        }
        total += 1;
    }
    Paginated::new(data, request.page, total as u64)
}

/// One book.
#[utoipa::path(
    get,
    path = "/{id}",
    params(("id" = Uuid, Path, description = "Book id")),
    responses(
        (status = 200, description = "The book", body = Book),
        (status = 404, description = "No such book", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_book(
    State(store): State<BookStore>,
    Path(id): Path<String>,
) -> Result<Json<Book>, ApiError> {
    Ok(Json(store.get(&book_id(&id)?)?.book.clone()))
}

/// Replace a book's fields.
#[utoipa::path(
    put,
    path = "/{id}",
    params(("id" = Uuid, Path, description = "Book id")),
    request_body = BookRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new version, on disk", body = Book),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Added by someone else (admins may change any book)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such book", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "ISBN belongs to another book", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_book(
    State(store): State<BookStore>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(request): Json<BookRequest>,
) -> Result<Json<Book>, ApiError> {
    let id = book_id(&id)?;
    let change = Change::Replace(id, request.into_fields()?);
    Ok(Json(saved(store.change(change, user).await?)?))
}

/// Delete a book.
#[utoipa::path(
    delete,
    path = "/{id}",
    params(("id" = Uuid, Path, description = "Book id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, on disk"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Added by someone else", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such book", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_book(
    State(store): State<BookStore>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    store.change(Change::Delete(book_id(&id)?), user).await?;
    Ok(StatusCode::NO_CONTENT)
}
