//! The to-do face's error shape: `{"message": "..."}`, as the spec shows it
//! (`{"message": "Unauthorized"}`, `{"message": "Forbidden"}`), with a per-field `errors`
//! list for validation failures, which are 400.
//!
//! Handlers work with the platform's [`ApiError`]; this module only renders it.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use groundwork_platform::http::extract::{Json, Query};
use groundwork_platform::{ApiError, FieldError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// An error on this face; see the module docs.
#[derive(Debug)]
pub struct TodoError(pub ApiError);

/// The body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageBody {
    /// What went wrong: the status phrase for 401/403/404, a sentence otherwise.
    pub message: String,
    /// One entry per invalid field (validation failures only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl From<ApiError> for TodoError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<sea_orm::DbErr> for TodoError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self(error.into())
    }
}

/// 403 for an item that belongs to someone else.
pub fn forbidden() -> ApiError {
    ApiError::forbidden("Forbidden")
}

/// 404 for an item that does not exist.
pub fn not_found() -> ApiError {
    ApiError::not_found("todo")
}

fn message_for(error: &ApiError) -> String {
    let status = error.status();
    match (status, error.code()) {
        (StatusCode::UNAUTHORIZED, "invalid_credentials") => "Invalid email or password".into(),
        (StatusCode::UNAUTHORIZED, code) if code.contains("refresh") => error.to_problem().detail,
        (StatusCode::UNAUTHORIZED, _) => "Unauthorized".into(),
        (StatusCode::FORBIDDEN, _) => "Forbidden".into(),
        (StatusCode::NOT_FOUND, _) => "Not Found".into(),
        (StatusCode::TOO_MANY_REQUESTS, _) => "Too Many Requests".into(),
        (status, _) if status.is_server_error() => status
            .canonical_reason()
            .unwrap_or("Server Error")
            .to_owned(),
        _ if !error.field_errors().is_empty() => "Validation failed".into(),
        _ => error.to_problem().detail,
    }
}

impl IntoResponse for TodoError {
    fn into_response(self) -> Response {
        let error = self.0;
        // Server errors keep their one log line, inside the request span.
        error.log();
        let status = match error.status() {
            // The spec's clients expect 400 for bad input; problem+json uses 422 for a body
            // of the wrong shape.
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            status => status,
        };
        let body = MessageBody {
            message: message_for(&error),
            errors: error.field_errors().to_vec(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(secs) = error.retry_after_secs() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A JSON body whose rejections render in this face's shape.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = TodoError;

    async fn from_request(request: Request, state: &S) -> Result<Self, TodoError> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Body(value))
            .map_err(TodoError)
    }
}

/// Query parameters whose rejections render in this face's shape.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = TodoError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, TodoError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Params(value))
            .map_err(TodoError)
    }
}
