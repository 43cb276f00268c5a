//! Issues of pieces already checked, shared by the checker threads, so that re-checking a
//! note after an edit checks only the piece that changed.
//!
//! The key is the piece's whole text (with the link definitions it was checked with), not
//! a hash of it: a hit must be the same text, never a colliding one. Issues are kept
//! before the account's dictionary is applied.

use std::sync::Arc;

use uuid::Uuid;

use super::{EnglishDialect, Format, PieceIssue};

/// What a piece's issues depend on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct PieceKey {
    /// The account that checked it: accounts never share entries, so a fast answer never
    /// means another account checked the same text. (harper's own per-thread caches of
    /// recent sentences are shared; they make such a check about five times faster, not
    /// free.)
    pub account: Uuid,
    pub format: Format,
    pub dialect: EnglishDialect,
    pub text: Box<str>,
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<PieceKey, Arc<[PieceIssue]>> for ByBytes {
    fn weight(&self, key: &PieceKey, issues: &Arc<[PieceIssue]>) -> u64 {
        let issues: usize = issues.iter().map(PieceIssue::weight).sum();
        (key.text.len() + issues + 64) as u64
    }
}

type Pieces = quick_cache::sync::Cache<PieceKey, Arc<[PieceIssue]>, ByBytes>;

/// A byte-bounded cache of piece issues; cheap to clone.
#[derive(Clone)]
pub(super) struct PieceCache {
    /// `None` when the budget is 0: nothing is kept.
    pieces: Option<Arc<Pieces>>,
}

/// A piece is about 2 KB of text and its issues; quick_cache sizes its tables from this.
const TYPICAL_ENTRY_BYTES: usize = 4096;

impl PieceCache {
    /// A cache holding about `max_bytes` of pieces and their issues.
    pub fn new(max_bytes: usize) -> Self {
        let pieces = (max_bytes > 0).then(|| {
            let items = (max_bytes / TYPICAL_ENTRY_BYTES).max(16);
            Arc::new(quick_cache::sync::Cache::with_weighter(
                items,
                max_bytes as u64,
                ByBytes,
            ))
        });
        Self { pieces }
    }

    /// Whether anything is kept.
    pub fn is_on(&self) -> bool {
        self.pieces.is_some()
    }

    pub fn get(&self, key: &PieceKey) -> Option<Arc<[PieceIssue]>> {
        self.pieces.as_ref()?.get(key)
    }

    pub fn insert(&self, key: PieceKey, issues: Arc<[PieceIssue]>) {
        if let Some(pieces) = &self.pieces {
            pieces.insert(key, issues);
        }
    }
}
