//! Drop-in replacements for axum's `Json`, `Query` and `Path` whose rejections are
//! problem+json [`ApiError`]s naming the offending field, instead of axum's plain text.
//!
//! Status codes: a body that is not JSON at all is 400 `malformed_json`; JSON of the wrong
//! shape (missing field, wrong type, unknown field) is 422 `validation_failed` with the
//! field's path; a wrong or missing `Content-Type` is 415; a body over the limit is 413.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// A JSON request body or response.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !has_json_content_type(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected a body with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                let status = rejection.status();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    payload_too_large()
                } else {
                    ApiError::new(status, "unreadable_body", rejection.body_text())
                }
            })?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `#[serde(default, deserialize_with = "nullable")]` on an `Option<Option<T>>` field:
/// an absent field is `None` (leave it alone), `null` is `Some(None)` (clear it), and a
/// value is `Some(Some(value))`. For partial updates (`PATCH`, RealWorld's `PUT /user`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// The 413 problem for bodies over the configured limit.
pub fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "the request body is larger than this server accepts",
    )
}

fn has_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserialises a JSON document, mapping every failure to a precise problem.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::validation(vec![field_error(&path, &inner)])
            }
            _ => malformed(&inner),
        }
    })?;
    deserializer.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn malformed(error: &serde_json::Error) -> ApiError {
    let what = if error.is_eof() {
        "the JSON body ends early"
    } else {
        "the body is not valid JSON"
    };
    ApiError::bad_request(
        "malformed_json",
        format!("{what} (line {}, column {})", error.line(), error.column()),
    )
}

/// Turns serde's message into a field error. Serde reports a missing field at the path of
/// the enclosing object, with the field's name only in the message, so it is moved into the
/// path here.
fn field_error(path: &str, error: &serde_json::Error) -> FieldError {
    let message = strip_location(&error.to_string());
    let join = |name: &str| {
        if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = backticked_after(&message, "missing field ") {
        return FieldError::new(join(name), "required", "this field is required");
    }
    if message.starts_with("unknown field ") {
        // Unlike a missing field, an unknown one is already the last segment of the path.
        return FieldError::new(path, "unknown_field", "this field is not allowed here");
    }
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    let code = if message.starts_with("invalid type") {
        "invalid_type"
    } else {
        "invalid"
    };
    FieldError::new(field, code, message)
}

fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

fn backticked_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split('`').next()
}

/// Query string parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let field = error.path().to_string();
                let message = error.into_inner().to_string();
                let field = if field == "." {
                    backticked_after(&message, "missing field ")
                        .or_else(|| backticked_after(&message, "unknown field "))
                        .unwrap_or("query")
                        .to_owned()
                } else {
                    field
                };
                ApiError::validation(vec![FieldError::new(field, "invalid", message)])
            })
    }
}

/// Path parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(ApiError::bad_request(
                "invalid_path_parameter",
                rejection.body_text(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
        nested: Option<Nested>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Nested {
        count: u8,
    }

    fn error(body: &str) -> ApiError {
        parse_json::<Login>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn syntax_errors_are_400_with_a_location() {
        let error = error(r#"{"email": "a@b.c", "#);
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.code(), "malformed_json");
        assert!(error.to_string().contains("line 1"), "{error}");
        assert_eq!(
            self::error(r#"{"email": "a", "password": "b"} trailing"#).code(),
            "malformed_json"
        );
        assert_eq!(self::error("\u{0}").code(), "malformed_json");
    }

    #[test]
    fn a_missing_field_is_named() {
        let error = error(r#"{"email": "a@b.c"}"#);
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.field_errors()[0].field, "password");
        assert_eq!(error.field_errors()[0].code, "required");
    }

    #[test]
    fn wrong_types_and_unknown_fields_are_named_with_their_path() {
        let wrong = error(r#"{"email": 5, "password": "x"}"#);
        assert_eq!(wrong.field_errors()[0].field, "email");
        assert_eq!(wrong.field_errors()[0].code, "invalid_type");
        let unknown = error(r#"{"email": "a", "password": "x", "role": "admin"}"#);
        assert_eq!(unknown.field_errors()[0].field, "role");
        assert_eq!(unknown.field_errors()[0].code, "unknown_field");
        let nested = error(r#"{"email": "a", "password": "x", "nested": {"count": 300}}"#);
        assert_eq!(nested.field_errors()[0].field, "nested.count");
    }

    #[test]
    fn invalid_utf8_is_malformed_json() {
        let bytes = b"{\"email\": \"\xff\xfe\", \"password\": \"x\"}";
        assert_eq!(
            parse_json::<Login>(bytes).unwrap_err().code(),
            "malformed_json"
        );
    }

    #[test]
    fn json_content_types_are_recognised() {
        let headers = |value: &str| {
            let mut map = HeaderMap::new();
            map.insert(header::CONTENT_TYPE, value.parse().unwrap());
            map
        };
        assert!(has_json_content_type(&headers("application/json")));
        assert!(has_json_content_type(&headers(
            "Application/JSON; charset=utf-8"
        )));
        assert!(has_json_content_type(&headers(
            "application/merge-patch+json"
        )));
        assert!(!has_json_content_type(&headers("text/plain")));
        assert!(!has_json_content_type(&HeaderMap::new()));
    }
}
