//! Errors the blog's service returns, as platform [`ApiError`]s whose codes name the
//! resource (`article_not_found`, `comment_forbidden`) so that each face can render them
//! in its own shape (problem+json, or RealWorld's `{"errors": {"article": ["not found"]}}`).

use axum::http::StatusCode;
use groundwork_platform::{ApiError, FieldError};

/// 404 for a missing (or invisible) resource.
pub fn not_found(resource: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("{resource}_not_found"),
        format!("{resource} not found"),
    )
}

/// 403: the caller may not do this to the resource.
pub fn forbidden(resource: &'static str, detail: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        format!("{resource}_forbidden"),
        detail,
    )
}

/// 401: this needs a signed-in caller.
pub fn sign_in_required() -> ApiError {
    ApiError::unauthorized(
        "missing_token",
        "this needs an Authorization header with a token",
    )
}

/// 422 for a unique value already in use (RealWorld renders this shape for duplicates).
pub fn taken(field: &'static str) -> ApiError {
    ApiError::validation(vec![FieldError::new(
        field,
        "taken",
        "has already been taken",
    )])
}

/// The resource named by a `<resource>_not_found` / `<resource>_forbidden` code.
pub fn resource_of(code: &str) -> Option<&str> {
    code.strip_suffix("_not_found")
        .or_else(|| code.strip_suffix("_forbidden"))
}
