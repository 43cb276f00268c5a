//! One error type for every HTTP handler, rendered as RFC 9457 `application/problem+json`.
//!
//! Clients branch on the stable `code` (`validation_failed`, `invalid_credentials`, ...),
//! never on `detail`, which is prose for humans. Validation failures list every bad field
//! at once. Server errors are opaque to the client: the cause is logged once, inside the
//! request's span (so it carries the request id), and the body only says what went wrong
//! in general terms.

use std::borrow::Cow;
use std::fmt;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An error a handler returns; see the module docs for how it renders.
pub struct ApiError {
    status: StatusCode,
    code: Cow<'static, str>,
    detail: Cow<'static, str>,
    errors: Vec<FieldError>,
    retry_after_secs: Option<u64>,
    source: Option<BoxError>,
    /// Set when the cause was already logged elsewhere (a panic, by the panic hook).
    logged: bool,
}

/// One invalid field in a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, such as `email` or `items[2].quantity`.
    pub field: String,
    /// Stable machine code: `required`, `too_short`, `invalid`, ...
    pub code: Cow<'static, str>,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error with a stable code and a message.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Collects the field errors of several checks, so that a request reports every bad field
/// at once instead of the first one.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of a passed check, or `None` with its error kept.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|error| self.0.push(error)).ok()
    }

    /// Keeps an error.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Keeps the field errors of a validation error (another checker's result).
    pub fn absorb(&mut self, error: &ApiError) {
        self.0.extend(error.field_errors().iter().cloned());
    }

    /// Whether every check passed so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The built value if every check passed, else a 422 naming every bad field. `build`
    /// uses `?` on the `Option`s that [`FieldErrors::take`] returned.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        match build() {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ApiError::validation(self.0)),
        }
    }
}

/// Checks free text: trimmed, at most `max` characters, no control characters other than
/// line breaks, and not empty when `required`. The common rule of names, titles, notes.
pub fn checked_text(
    field: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    let value = raw.trim();
    if required && value.is_empty() {
        return Err(FieldError::new(field, "required", "cannot be empty"));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new(
            field,
            "invalid",
            "control characters are not allowed",
        ));
    }
    Ok(value.to_owned())
}

/// The JSON body of an error response, as documented in the OpenAPI schema.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// Always `about:blank`: the `code` member carries the machine-readable type.
    #[serde(rename = "type")]
    pub problem_type: &'static str,
    /// The HTTP status phrase.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable error code.
    pub code: String,
    /// Per-field validation errors (only for `validation_failed` and similar).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    /// An error with any status; prefer the named constructors.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_secs: None,
            source: None,
            logged: false,
        }
    }

    /// 400: the request is malformed in a way no field error describes.
    pub fn bad_request(
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 422 `validation_failed` with one entry per invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [only] => format!("{}: {}", only.field, only.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            detail,
        );
        error.errors = errors;
        error
    }

    /// 422 for a single invalid field.
    pub fn invalid_field(
        field: impl Into<String>,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self::validation(vec![FieldError::new(field, code, message)])
    }

    /// 401: missing or bad credentials.
    pub fn unauthorized(
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404 for a resource of the named kind (`"user"`).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 409: the request conflicts with the current state (duplicate email, ...).
    pub fn conflict(
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 429 with a `Retry-After` header.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; retry after {retry_after_secs} s"),
        );
        error.retry_after_secs = Some(retry_after_secs.max(1));
        error
    }

    /// 503 with a `Retry-After` header: a dependency is unavailable or overloaded.
    pub fn unavailable(detail: impl Into<Cow<'static, str>>, retry_after_secs: u64) -> Self {
        let mut error = Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail);
        error.retry_after_secs = Some(retry_after_secs.max(1));
        error
    }

    /// 500: something broke on our side. The cause is logged, never sent to the client.
    pub fn internal(source: impl Into<BoxError>) -> Self {
        let mut error = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an internal error occurred; it has been logged",
        );
        error.source = Some(source.into());
        error
    }

    /// The same error with another status, for systems whose public spec uses other codes
    /// (the roadmap's 400 for validation errors).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Marks the cause as logged already, so rendering does not log it a second time.
    pub(crate) fn already_logged(mut self) -> Self {
        self.logged = true;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable machine code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Seconds to put in `Retry-After`, if the error has one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after_secs
    }

    /// The field errors, if any.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The problem document this error renders to.
    pub fn to_problem(&self) -> Problem {
        Problem {
            problem_type: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: self.detail.to_string(),
            code: self.code.to_string(),
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("detail", &self.detail)
            .field("errors", &self.errors)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl ApiError {
    /// Logs a server error once, inside the current request span (rendering does this;
    /// call it only when rendering the error in another shape). Client errors are not
    /// logged (they are the client's business, and counted in the metrics).
    pub fn log(&self) {
        if self.logged || !self.status.is_server_error() {
            return;
        }
        let Some(source) = self.source.as_deref() else {
            // Expected conditions (timeouts, overload): worth a warning, not an error.
            tracing::warn!(status = self.status.as_u16(), code = %self.code, detail = %self.detail, "request failed");
            return;
        };
        // Walk the chain so the log shows the root cause, not only the outer wrapper.
        let mut cause = source.to_string();
        let mut next = source.source();
        while let Some(error) = next {
            cause.push_str(": ");
            cause.push_str(&error.to_string());
            next = error.source();
        }
        tracing::error!(status = self.status.as_u16(), code = %self.code, cause, "request failed");
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let body = serde_json::to_vec(&self.to_problem()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::internal(error)
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(error: sea_orm::TransactionError<ApiError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(db) => Self::internal(db),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

/// `Result` with [`ApiError`].
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn render(error: ApiError) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn validation_errors_render_as_problem_json_with_every_field() {
        let error = ApiError::validation(vec![
            FieldError::new("email", "invalid", "not an email address"),
            FieldError::new("password", "too_short", "at least 8 characters"),
        ]);
        let (status, headers, body) = render(error).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(headers[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["status"], 422);
        assert_eq!(body["title"], "Unprocessable Entity");
        assert_eq!(body["errors"][1]["field"], "password");
        assert_eq!(body["errors"][1]["code"], "too_short");
    }

    #[tokio::test]
    async fn internal_errors_hide_their_cause_from_the_client() {
        let error = ApiError::internal(std::io::Error::other("disk /dev/sda3 exploded"));
        let (status, _, body) = render(error).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["code"], "internal_error");
        assert!(!body.to_string().contains("sda3"), "{body}");
    }

    #[tokio::test]
    async fn rate_limits_say_when_to_retry() {
        let (status, headers, _) = render(ApiError::too_many_requests(7)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[header::RETRY_AFTER], "7");
    }

    #[tokio::test]
    async fn unauthorized_responses_name_the_bearer_scheme() {
        let (_, headers, body) = render(ApiError::unauthorized("missing_token", "no token")).await;
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        assert!(
            body.get("errors").is_none(),
            "empty field lists are omitted"
        );
    }
}
