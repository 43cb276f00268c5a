//! The OpenAPI 3.1 document assembled from every mounted system, served at
//! `/openapi.json` (whole) and `/openapi/{system}.json` (one system), plus the Scalar API
//! reference at `/docs`.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::Tag;
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa_scalar::Scalar;

/// The document's skeleton: info, the bearer security scheme, no paths yet.
pub fn base_document() -> OpenApi {
    let bearer = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("JWT")
        .description(Some(
            "Access token from POST /auth/login, /auth/register or /auth/refresh",
        ))
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Groundwork")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Every Groundwork system's HTTP API. Errors are RFC 9457 problem+json documents \
                     with a stable `code`; see docs/API-CONVENTIONS.md.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new().security_scheme("bearer", SecurityScheme::Http(bearer)).build(),
        ))
        .build()
}

/// Every operation of a path item, mutably.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn operations(item: &PathItem) -> impl Iterator<Item = &Operation> {
    [
        &item.get,
        &item.put,
        &item.post,
        &item.delete,
        &item.options,
        &item.head,
        &item.patch,
        &item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_ref)
}

/// Tags every operation of a system's document with the system's name, and gives each
/// operation an id unique across systems (`auth_login`), as client generators need.
pub fn tag_system(document: &mut OpenApi, system: &str) {
    for item in document.paths.paths.values_mut() {
        for operation in operations_mut(item) {
            operation.tags = Some(vec![system.to_owned()]);
            if let Some(id) = &operation.operation_id
                && !id.starts_with(&format!("{system}_"))
            {
                operation.operation_id = Some(format!("{system}_{id}"));
            }
        }
    }
}

/// Adds a tag description for a system (shown as a section in the reference).
pub fn add_tag(document: &mut OpenApi, name: &str, description: &str) {
    let tag = Tag::builder()
        .name(name)
        .description(Some(description))
        .build();
    document.tags.get_or_insert_with(Vec::new).push(tag);
}

/// The part of the document tagged with `system`: its paths, its tag, all components.
pub fn system_document(document: &OpenApi, system: &str) -> Option<OpenApi> {
    let tagged = |op: &Operation| {
        op.tags
            .as_ref()
            .is_some_and(|tags| tags.iter().any(|t| t == system))
    };
    let paths: BTreeMap<String, PathItem> = document
        .paths
        .paths
        .iter()
        .filter(|(_, item)| operations(item).any(tagged))
        .map(|(path, item)| (path.clone(), item.clone()))
        .collect();
    if paths.is_empty() {
        return None;
    }
    let mut part = document.clone();
    part.paths.paths = paths;
    part.tags = document
        .tags
        .as_ref()
        .map(|tags| tags.iter().filter(|t| t.name == system).cloned().collect());
    Some(part)
}

/// Where the `/docs` page loads Scalar from unless `server.docs_script_url` says otherwise.
pub const SCALAR_CDN: &str = "https://cdn.jsdelivr.net/npm/@scalar/api-reference";

/// The `/docs` page: Scalar's API reference, loading `/openapi.json`. The browser fetches
/// the Scalar script when the page opens (nothing is downloaded at build time); a
/// deployment without internet access can host the script itself and set
/// `server.docs_script_url`. Without JavaScript the page links the raw document.
pub fn docs_page(script_url: &str) -> String {
    const HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>$title</title>
</head>
<body>
  <noscript>The API reference needs JavaScript. The raw OpenAPI document is at <a href="/openapi.json">/openapi.json</a>.</noscript>
  <script id="api-reference" data-url="/openapi.json"></script>
  <script src="$script"></script>
</body>
</html>
"#;
    let script = crate::http::html::escape(script_url);
    Scalar::new(serde_json::Value::Null)
        .custom_html(HTML.replace("$script", &script))
        .title("Groundwork API reference")
        .to_html()
}

/// The CSP for the docs page: the Scalar script's origin, its inline styles and fonts,
/// and calls back to this server for "try it".
pub fn docs_csp(script_url: &str) -> String {
    let origin = match script_url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'none'; script-src {origin} 'unsafe-inline'; \
         style-src 'unsafe-inline' {origin} https://fonts.scalar.com; \
         font-src https://fonts.scalar.com {origin} data:; img-src 'self' data: https:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_page_loads_the_configured_script_and_allows_only_its_origin() {
        let page = docs_page("https://assets.example.com/scalar.js");
        assert!(page.contains(r#"<script src="https://assets.example.com/scalar.js"></script>"#));
        assert!(page.contains(r#"data-url="/openapi.json""#));
        let csp = docs_csp("https://assets.example.com/scalar.js");
        assert!(
            csp.contains("script-src https://assets.example.com 'unsafe-inline'"),
            "{csp}"
        );
        assert!(docs_csp("/static/scalar.js").contains("script-src 'self'"));
        let hostile = docs_page(r#"x"><script>alert(1)</script>"#);
        assert!(!hostile.contains(r#""><script>alert"#), "{hostile}");
    }
}
