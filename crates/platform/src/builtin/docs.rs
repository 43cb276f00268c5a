//! `/openapi.json`, `/openapi/{system}.json` and `/docs`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;
use crate::http::extract::Path;

/// The pre-rendered documents, built once at startup.
#[derive(Clone)]
pub struct Documents {
    /// The whole OpenAPI document, as JSON.
    pub whole: Arc<str>,
    /// Each system's part, by system name.
    pub by_system: Arc<std::collections::BTreeMap<String, String>>,
    /// The reference page.
    pub docs_html: Arc<str>,
    /// Its Content-Security-Policy.
    pub docs_csp: HeaderValue,
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The whole OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "server", responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json(State(documents): State<Documents>) -> Response {
    json(documents.whole.to_string())
}

/// One system's part of the OpenAPI document.
#[utoipa::path(
    get,
    path = "/openapi/{system}",
    tag = "server",
    params(("system" = String, Path, description = "System name with `.json`, such as `auth.json`")),
    responses(
        (status = 200, description = "OpenAPI 3.1 document", content_type = "application/json"),
        (status = 404, description = "No such system mounted"),
    )
)]
pub async fn system_openapi_json(
    State(documents): State<Documents>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let name = file.strip_suffix(".json").unwrap_or(&file);
    documents
        .by_system
        .get(name)
        .map(|doc| json(doc.clone()))
        .ok_or_else(|| ApiError::not_found("system"))
}

/// The browsable API reference.
#[utoipa::path(get, path = "/docs", tag = "server", responses((status = 200, description = "HTML page", content_type = "text/html")))]
pub async fn docs(State(documents): State<Documents>) -> Response {
    let mut response = Html(documents.docs_html.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, documents.docs_csp.clone());
    response
}
