//! Errors are the platform's problem+json; the roadmap spec asks for 400 (not 422) when a
//! request is invalid, so this system's extractors and checks use 400.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use groundwork_platform::ApiError;
use groundwork_platform::http::extract::{Json, Query};
use serde::de::DeserializeOwned;

/// The spec's 400 for what the platform reports as 422.
pub fn spec_status(error: ApiError) -> ApiError {
    if error.status() == StatusCode::UNPROCESSABLE_ENTITY {
        error.with_status(StatusCode::BAD_REQUEST)
    } else {
        error
    }
}

/// 404 for a code that names no link.
pub fn no_such_link() -> ApiError {
    ApiError::not_found("short URL")
}

/// A JSON body; malformed or mistyped bodies are 400.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Body(value))
            .map_err(spec_status)
    }
}

/// Query parameters; bad ones are 400.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Params(value))
            .map_err(spec_status)
    }
}
