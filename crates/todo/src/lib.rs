//! The roadmap "to-do list API", exactly as its public page specifies, under `/todo`:
//! `POST /register` and `POST /login` answer `{"token": ...}`; `/todos` is each user's own
//! list, with `{"message": "Unauthorized"}` (401) and `{"message": "Forbidden"}` (403) as
//! the spec words them, and `{data, page, limit, total}` pages.
//!
//! Beyond the spec (its bonus list and more): status, priority and due date; filters,
//! text search and sorting; refresh tokens (`POST /refresh`); `PATCH`; a per-user cap on
//! items; the platform's rate limits. Accounts are the platform's, so one made here works
//! on every other Groundwork system.

pub mod account;
pub mod domain;
pub mod entities;
pub mod error;
pub mod migrations;
pub mod seed;
pub mod settings;
pub mod todos;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

pub use settings::TodoSettings;

/// The to-do system, mounted at `/todo`.
pub struct TodoSystem;

impl System for TodoSystem {
    fn name(&self) -> &'static str {
        "todo"
    }

    fn default_mount(&self) -> &'static str {
        "/todo"
    }

    fn description(&self) -> &'static str {
        "To-do lists: the roadmap to-do list API with sign-up, tokens, filters and sorting."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let settings: TodoSettings = platform.config().section("todo")?;
        let service = todos::TodoService::new(platform.db().clone(), settings);
        Ok(OpenApiRouter::new()
            .merge(account::router(platform.auth().clone()))
            .merge(todos::router(service)))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }
}
