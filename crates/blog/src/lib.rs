//! The blog: one model of authors, articles, tags, comments, favorites and follows,
//! with two HTTP faces.
//!
//! - `/blog/posts`: the roadmap's "blogging platform API", exactly as its public page
//!   specifies (bare JSON arrays, numeric ids, `?term=` search), plus filters and paging.
//! - `/blog/api`: the RealWorld "Conduit" API (users, profiles, articles, comments,
//!   favorites, tags) with its exact envelopes and error shape, so that any Conduit
//!   front-end can use it.
//!
//! Accounts are the platform's: one account works on both faces and across Groundwork.

pub mod conduit;
pub mod domain;
pub mod entities;
pub mod errors;
pub mod migrations;
pub mod model;
pub mod posts;
pub mod repo;
pub mod seed;
pub mod service;
pub mod settings;
mod timefmt;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

pub use service::BlogService;
pub use settings::BlogSettings;

/// The platform role that may write articles when `blog.authors_only` is on.
pub const AUTHOR_ROLE: &str = "author";

/// The blog system, mounted at `/blog`.
pub struct BlogSystem;

impl BlogSystem {
    /// The service, configured from the platform.
    pub fn service(platform: &Platform) -> Result<BlogService, BoxError> {
        let settings: BlogSettings = platform.config().section("blog")?;
        Ok(BlogService::new(
            platform.db().clone(),
            platform.auth().clone(),
            platform.rate_limiter().clone(),
            settings,
        ))
    }
}

impl System for BlogSystem {
    fn name(&self) -> &'static str {
        "blog"
    }

    fn default_mount(&self) -> &'static str {
        "/blog"
    }

    fn description(&self) -> &'static str {
        "Blogging: the roadmap posts API at /posts and the RealWorld (Conduit) API at /api."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let service = Self::service(platform)?;
        Ok(OpenApiRouter::new()
            .merge(posts::router(service.clone()))
            .nest("/api", conduit::router(service)))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }

    fn roles(&self) -> &'static [&'static str] {
        &[AUTHOR_ROLE]
    }
}
