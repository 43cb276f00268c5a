//! Book management on a JSON file (seed 004's "CRUD operations using a JSON file"), done
//! properly: reads from memory; writes serialised through one writer that group-commits
//! them, each write of the file atomic (temporary file, fsync, rename, directory fsync);
//! an exclusive lock against a second process; a corrupt file reported, never overwritten.

pub mod api;
pub mod isbn;
pub mod model;
pub mod settings;
pub mod store;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use utoipa_axum::router::OpenApiRouter;

pub use settings::BooksSettings;
pub use store::BookStore;

/// The books system, mounted at `/books`.
pub struct BooksSystem;

impl BooksSystem {
    /// Opens the configured file and starts its writer.
    pub fn store(platform: &Platform) -> Result<BookStore, BoxError> {
        let settings: BooksSettings = platform.config().section("books")?;
        let path = settings
            .path
            .clone()
            .unwrap_or_else(|| platform.settings().data_dir.join("books.json"));
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
