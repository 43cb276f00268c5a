//! Book management on a JSON file (seed 004's "CRUD operations using a JSON file"), done
//! properly: reads from memory; writes serialised through one writer that group-commits
//! them, each write of the file atomic (temporary file, fsync, rename, directory fsync);
//! an exclusive lock against a second process; a corrupt file reported, never overwritten.

pub mod api;
pub mod isbn;
pub mod model;
pub mod seed;
pub mod settings;
pub mod store;

use std::path::PathBuf;

use groundwork_platform::Platform;
use groundwork_platform::config::Config;
use groundwork_platform::system::{BoxError, System};
use utoipa_axum::router::OpenApiRouter;

pub use settings::BooksSettings;
pub use store::BookStore;

/// The books system, mounted at `/books`.
pub struct BooksSystem;

impl BooksSystem {
    /// The configured file: `books.path`, or `books.json` in the data directory.
    pub fn path(config: &Config) -> Result<PathBuf, BoxError> {
        let settings: BooksSettings = config.section("books")?;
        Ok(settings
            .path
            .unwrap_or_else(|| config.settings.data_dir.join("books.json")))
    }

    /// Opens the configured file and starts its writer.
    pub fn store(platform: &Platform) -> Result<BookStore, BoxError> {
        let settings: BooksSettings = platform.config().section("books")?;
        let path = Self::path(platform.config())?;
        let limits = store::WriterLimits {
            max_batch: settings.max_batch.max(1),
            max_books: settings.max_books,
        };
        Ok(BookStore::open(&path, limits)?)
    }
}

impl System for BooksSystem {
    fn name(&self) -> &'static str {
        "books"
    }

    fn default_mount(&self) -> &'static str {
        "/books"
    }

    fn description(&self) -> &'static str {
        "Book management on a JSON file: atomic, locked, group-committed writes."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        Ok(api::router(Self::store(platform)?))
    }
}
