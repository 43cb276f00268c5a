//! The markdown note-taking app under `/notes`: save notes as JSON or upload `.md` files,
//! list and search them, read them raw or rendered to sanitised HTML (CommonMark with the
//! GitHub extensions), and check their spelling and grammar offline (harper-core), with a
//! per-account dictionary. Texts live in the platform's blob storage (a directory under
//! `./data/`, or S3), each distinct text once; metadata and the search index live in the
//! database.

pub mod api;
pub mod entities;
pub mod grammar;
pub mod markdown;
pub mod migrations;
pub mod notes;
pub mod service;
pub mod settings;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

pub use service::NotesService;
pub use settings::NotesSettings;

/// The notes app, mounted at `/notes`.
pub struct NotesSystem;

impl System for NotesSystem {
    fn name(&self) -> &'static str {
        "notes"
    }

    fn default_mount(&self) -> &'static str {
        "/notes"
    }

    fn description(&self) -> &'static str {
        "Markdown notes: upload, search, safe HTML rendering, offline grammar checking."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let settings: NotesSettings = platform.config().section("notes")?;
        Ok(api::router(NotesService::new(
            platform.db().clone(),
            platform.blobs().clone(),
            settings,
        )))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }
}
