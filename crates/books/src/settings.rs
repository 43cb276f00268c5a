//! The `[books]` configuration section (`GROUNDWORK__BOOKS__*`).

use std::path::PathBuf;

use serde::Deserialize;

/// Book settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BooksSettings {
    /// The JSON file; default `books.json` in the data directory.
    pub path: Option<PathBuf>,
    /// Most changes written together in one rewrite of the file.
    pub max_batch: usize,
    /// Most books in the catalog (the whole catalog lives in memory and is rewritten on
    /// every write: this is a store for thousands to a few hundred thousand books).
    pub max_books: usize,
}

impl Default for BooksSettings {
    fn default() -> Self {
        Self {
            path: None,
            max_batch: 4096,
            max_books: 1_000_000,
        }
    }
}
