//! A URL shortener: the roadmap "URL Shortening Service" API exactly as its page specifies
//! (`POST /shorten`, `GET|PUT|DELETE /shorten/{code}`, `GET /shorten/{code}/stats`), and
//! "Bitly-lite" on top: redirects at `GET /{code}` served from a cache with clicks counted
//! in memory and written in batches, per-link analytics, custom aliases, expiry, click
//! caps, accounts' own links, creation rate limits, and an HTML form at `/`.
//!
//! Mounted at `/shortener`; `groundwork serve --mount shortener=/` gives the spec's paths.

pub mod analytics;
pub mod cache;
pub mod clicks;
pub mod code;
pub mod entities;
pub mod error;
pub mod links;
pub mod migrations;
pub mod page;
pub mod redirect;
pub mod seed;
pub mod service;
pub mod settings;
pub mod target;

use std::sync::{Arc, OnceLock};

use groundwork_platform::Platform;
use groundwork_platform::system::{BackgroundTask, BoxError, System};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use service::Shortener;
pub use settings::ShortenerSettings;

/// The shortener system. Its state is built by the first of `router` and
/// `background_tasks` and shared by both: the flusher must drain the very batch the
/// handlers fill.
#[derive(Default)]
pub struct ShortenerSystem {
    state: OnceLock<Arc<Shortener>>,
}

impl ShortenerSystem {
    fn state(&self, platform: &Platform) -> Result<Arc<Shortener>, BoxError> {
        if let Some(state) = self.state.get() {
            return Ok(state.clone());
        }
        let state = Arc::new(Shortener::new(platform)?);
        Ok(self.state.get_or_init(|| state).clone())
    }
}

impl System for ShortenerSystem {
    fn name(&self) -> &'static str {
        "shortener"
    }

    fn default_mount(&self) -> &'static str {
        "/shortener"
    }

    fn description(&self) -> &'static str {
        "URL shortener: the roadmap API, cached redirects, click analytics, aliases, expiry, rate limits."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let state = self.state(platform)?;
        let pages = OpenApiRouter::new()
            .routes(routes!(page::home, page::create_from_form))
            .routes(routes!(redirect::follow_link))
            .with_state(state.clone());
        Ok(pages.merge(links::router(state)))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }

    fn background_tasks(&self, platform: &Platform) -> Vec<BackgroundTask> {
        let state = match self.state(platform) {
            Ok(state) => state,
            Err(error) => {
                tracing::error!(%error, "shortener not started");
                return Vec::new();
            }
        };
        let mut tasks = Vec::new();
        let flusher = state.clone();
        tasks.push(BackgroundTask::new(
            "shortener-clicks",
            move |shutdown| async move {
                flusher.clicks.run(shutdown).await;
            },
        ));
        if let Some(subscription) = state.take_subscription() {
            tasks.push(BackgroundTask::new(
                "shortener-invalidations",
                move |shutdown| async move {
                    state.cache.listen(subscription, shutdown).await;
                },
            ));
        }
        tasks
    }
}
