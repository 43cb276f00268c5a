//! RealWorld's error shape: `{"errors": {"<field or resource>": ["<message>", ...]}}`.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use groundwork_platform::ApiError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::errors::resource_of;

/// An error on the RealWorld face.
#[derive(Debug)]
pub struct ConduitError {
    status: StatusCode,
    errors: BTreeMap<String, Vec<String>>,
    retry_after_secs: Option<u64>,
}

/// The body of every RealWorld error (its `GenericErrorModel`).
#[derive(Debug, Serialize, ToSchema)]
pub struct GenericErrorModel {
    /// Messages by field or resource.
    pub errors: BTreeMap<String, Vec<String>>,
}

impl ConduitError {
    fn one(status: StatusCode, key: &str, message: &str) -> Self {
        let mut errors = BTreeMap::new();
        errors.insert(key.to_owned(), vec![message.to_owned()]);
        Self {
            status,
            errors,
            retry_after_secs: None,
        }
    }

    /// 401 about the token (`is missing`, `is invalid`, `has expired`).
    pub fn token(message: &str) -> Self {
        Self::one(StatusCode::UNAUTHORIZED, "token", message)
    }
}

impl From<ApiError> for ConduitError {
    fn from(error: ApiError) -> Self {
        // Server errors keep their one log line, inside the request span.
        error.log();
        let status = error.status();
        let code = error.code();
        let resource = resource_of(code).unwrap_or("resource");
        let mut converted = match status {
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST
                if !error.field_errors().is_empty() =>
            {
                let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for field in error.field_errors() {
                    // Nested paths (`user.email`, `article.tagList[0]`) become the field
                    // name RealWorld clients know (`email`, `tagList`).
                    let last = field.field.rsplit('.').next().unwrap_or(&field.field);
                    let key = last.split('[').next().unwrap_or(last).to_owned();
                    errors.entry(key).or_default().push(field.message.clone());
                }
                Self {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    retry_after_secs: None,
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => Self::one(
                StatusCode::UNPROCESSABLE_ENTITY,
                "body",
                &error.to_problem().detail,
            ),
            StatusCode::UNAUTHORIZED => match code {
                "invalid_credentials" => Self::one(status, "email or password", "is invalid"),
                "token_expired" => Self::token("has expired"),
                "missing_token" => Self::token("is missing"),
                "account_not_found" => Self::token("does not match an account"),
                _ => Self::token("is invalid"),
            },
            StatusCode::FORBIDDEN => Self::one(status, resource, "forbidden"),
            StatusCode::NOT_FOUND => Self::one(status, resource, "not found"),
            StatusCode::CONFLICT if code == "email_taken" => Self::one(
                StatusCode::UNPROCESSABLE_ENTITY,
                "email",
                "has already been taken",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::one(status, "body", "is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::one(
                status,
                "body",
                "must be JSON (Content-Type: application/json)",
            ),
            StatusCode::TOO_MANY_REQUESTS => {
                Self::one(status, "rate", "too many requests; retry later")
            }
            _ if status.is_server_error() => Self::one(
                status,
                "server",
                "an internal error occurred; it has been logged",
            ),
            _ => Self::one(status, resource, &error.to_problem().detail),
        };
        converted.retry_after_secs = error.retry_after_secs();
        converted
    }
}

impl From<sea_orm::DbErr> for ConduitError {
    fn from(error: sea_orm::DbErr) -> Self {
        ApiError::from(error).into()
    }
}

impl IntoResponse for ConduitError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(GenericErrorModel {
                errors: self.errors,
            }),
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
        }
        response
    }
}
