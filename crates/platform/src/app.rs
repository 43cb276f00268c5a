//! Assembles the HTTP application: built-in routes, every mounted system, the OpenAPI
//! document of all of them, and the middleware stack. `groundwork serve` and `TestApp`
//! both call [`build`], so tests exercise exactly what production runs.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::http::HeaderValue;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::Platform;
use crate::builtin::docs::{self, Documents};
use crate::builtin::{health, hello, landing, metrics};
use crate::http;
use crate::openapi;
use crate::system::{BoxError, Mount};

/// The assembled application.
pub struct App {
    /// Ready to serve (stack applied).
    pub router: Router,
    /// The OpenAPI document of every route.
    pub openapi: OpenApi,
}

/// Builds the app for these mounts.
pub fn build(platform: &Platform, mounts: &[Mount]) -> Result<App, BoxError> {
    let server_routes = OpenApiRouter::new()
        .routes(routes!(hello::hello))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::metrics))
        .with_state(platform.clone());
    let mut api = OpenApiRouter::with_openapi(openapi::base_document()).merge(server_routes);
    openapi::add_tag(
        api.get_openapi_mut(),
        "server",
        "Built-in routes: hello, health, metrics, docs.",
    );

    let mut entries = Vec::new();
    for mount in mounts {
        let system = &mount.system;
        let mut routes = system.router(platform)?;
        openapi::tag_system(routes.get_openapi_mut(), system.name());
        api = if mount.path == "/" {
            api.merge(routes)
        } else {
            api.nest(&mount.path, routes)
        };
        openapi::add_tag(api.get_openapi_mut(), system.name(), system.description());
        entries.push(landing::Entry {
            name: system.name().to_owned(),
            path: mount.path.clone(),
            description: system.description().to_owned(),
        });
    }

    // The documentation routes serve the finished document, so they are documented first
    // and given their state last.
    let mut docs_routes = OpenApiRouter::new()
        .routes(routes!(docs::openapi_json))
        .routes(routes!(docs::system_openapi_json))
        .routes(routes!(docs::docs));
    let (mut router, mut document) = api.split_for_parts();
    let root_is_taken = document.paths.paths.contains_key("/");
    document.merge(docs_routes.to_openapi());
    if !root_is_taken {
        document.merge(
            OpenApiRouter::<()>::new()
                .routes(routes!(landing_page))
                .into_openapi(),
        );
    }

    let documents = Documents {
        whole: serde_json::to_string(&document)?.into(),
        by_system: Arc::new(
            mounts
                .iter()
                .filter_map(|m| {
                    let part = openapi::system_document(&document, m.system.name())?;
                    Some(
                        serde_json::to_string(&part).map(|json| (m.system.name().to_owned(), json)),
                    )
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?,
        ),
        docs_html: openapi::docs_page(&platform.settings().server.docs_script_url).into(),
        docs_csp: HeaderValue::from_str(&openapi::docs_csp(
            &platform.settings().server.docs_script_url,
        ))?,
    };
    let (docs_router, _) = docs_routes.with_state(documents).split_for_parts();
    router = router.merge(docs_router);
    if !root_is_taken {
        let page: Arc<str> = landing::render(&entries).into();
        router = router.route("/", axum::routing::get(landing::landing).with_state(page));
    }

    let router = router
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed);
    let router = http::apply_stack(router, platform);
    Ok(App {
        router,
        openapi: document,
    })
}

// Documents `GET /` for OpenAPI; the page itself is served by `landing::landing`, which
// needs the rendered page as state.
/// The landing page: every mounted system with links to its reference and OpenAPI document.
#[utoipa::path(
    get,
    path = "/",
    tag = "server",
    responses((status = 200, description = "HTML list of mounted systems", content_type = "text/html"))
)]
async fn landing_page() {}
