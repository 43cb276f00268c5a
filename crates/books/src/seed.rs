//! `groundwork books seed`: a books file of generated books, written in one atomic
//! replace (for benchmarks). Refuses a file that already holds books.

use std::path::Path;

use chrono::{SubsecRound, Utc};
use groundwork_platform::db::bulk::SeedRandom;
use uuid::Uuid;

use crate::model::Book;
use crate::store::{DataFile, StoreError};

/// Writes `count` books to the file at `path` (taking its lock, so not while a server
/// holds it).
pub fn run(path: &Path, count: usize, seed: u64) -> Result<(), StoreError> {
    let (file, existing) = DataFile::open(path)?;
    if !existing.is_empty() {
        return Err(StoreError::NotEmpty {
            path: path.to_owned(),
            books: existing.len(),
        });
    }
    let mut random = SeedRandom::new(seed);
    let owner = Uuid::now_v7();
    let now = Utc::now().trunc_subsecs(6);
    let books: Vec<Vec<u8>> = (0..count)
        .map(|n| Book {
            id: Uuid::now_v7(),
            title: format!("Seeded book {n}"),
            authors: vec![format!("Author {}", random.below(5_000))],
            isbn: None,
            published_year: Some(1900 + random.below(126) as i32),
            tags: vec![format!("tag{}", random.below(50))],
            created_by: owner,
            created_at: now,
            updated_at: now,
        })
        .map(|book| serde_json::to_vec(&book))
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::Io {
            action: "serialise a book for",
            path: path.to_owned(),
            source: e.into(),
        })?;
    file.replace(books.iter().map(Vec::as_slice))
}
