//! What the checker threads run: checks someone waits for, and saved notes checked ahead
//! of being asked, which give way to the first.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use harper_core::linting::{LintGroup, Linter};
use harper_core::spell::FstDictionary;
use harper_core::{Document, remove_overlaps};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::cache::{PieceCache, PieceKey};
use super::{EnglishDialect, Format, PieceIssue, blocks, piece_issues};

/// A piece not in the cache: its place in the check, and what to check.
pub(super) struct Unchecked {
    pub index: usize,
    /// Bytes of the piece itself; `key.text` may go on with the text's link definitions.
    pub piece_len: usize,
    pub key: PieceKey,
}

/// What the threads are asked to do.
pub(super) enum Job {
    /// Pieces of one check, for one thread; someone waits for the reply.
    Check {
        pieces: Vec<Unchecked>,
        reply: oneshot::Sender<Vec<(usize, Arc<[PieceIssue]>)>>,
    },
    /// A saved text, checked so that a later check of it answers from the cache. Nobody
    /// waits for it: it stops between two pieces as soon as a `Check` is queued.
    Ahead(Ahead),
}

/// A text to check ahead of being asked.
pub(super) struct Ahead {
    pub account: Uuid,
    pub text: String,
    pub format: Format,
    pub dialect: EnglishDialect,
    /// Told whether every piece was checked (`false`: it gave way or failed).
    pub done: oneshot::Sender<bool>,
}

/// What the handles and the threads share.
pub(super) struct Shared {
    pub cache: PieceCache,
    /// `Check` jobs queued and not yet taken by a thread: while there are any, checks
    /// ahead stop.
    pub checks_waiting: AtomicUsize,
    /// `Ahead` jobs queued and not yet taken, kept low so they never fill the queue that
    /// waited-for checks need.
    pub ahead_queued: AtomicUsize,
}

/// The cut of `text` into pieces. Should the markdown parser ever panic, the text is one
/// piece, checked as harper parses it.
pub(super) fn cut(text: &str, format: Format) -> blocks::Cut {
    std::panic::catch_unwind(|| blocks::cut(text, format))
        .unwrap_or_else(|_| blocks::Cut::whole(text))
}

/// The cache key of each piece of `cut`, in order.
pub(super) fn piece_keys(
    text: &str,
    cut: &blocks::Cut,
    account: Uuid,
    format: Format,
    dialect: EnglishDialect,
) -> Vec<PieceKey> {
    cut.pieces
        .iter()
        .map(|range| {
            let piece = &text[range.clone()];
            let text = if cut.definitions.is_empty() {
                piece.into()
            } else {
                format!("{piece}\n\n{}", cut.definitions).into()
            };
            PieceKey {
                account,
                format,
                dialect,
                text,
            }
        })
        .collect()
}

/// A thread's loop: takes jobs until every handle is gone.
pub(super) fn run_jobs(jobs: &Mutex<Receiver<Job>>, shared: &Shared) {
    let mut linters = Linters::default();
    loop {
        let next = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match next {
            Err(_) => return,
            Ok(Job::Check { pieces, reply }) => {
                shared.checks_waiting.fetch_sub(1, Ordering::SeqCst);
                // On a panic the reply is dropped: the caller answers that it failed.
                if let Some(checked) = check_pieces(&mut linters, shared, pieces) {
                    let _ = reply.send(checked);
                }
            }
            Ok(Job::Ahead(ahead)) => {
                shared.ahead_queued.fetch_sub(1, Ordering::SeqCst);
                let finished = check_ahead(&mut linters, shared, &ahead);
                let _ = ahead.done.send(finished);
            }
        }
    }
}

/// The issues of a check's pieces, each with its place in the check; `None` if harper
/// panicked on one.
fn check_pieces(
    linters: &mut Linters,
    shared: &Shared,
    pieces: Vec<Unchecked>,
) -> Option<Vec<(usize, Arc<[PieceIssue]>)>> {
    let mut checked = Vec::with_capacity(pieces.len());
    for Unchecked {
        index,
        piece_len,
        key,
    } in pieces
    {
        // Checked by an earlier job since this one was queued, perhaps ahead.
        if let Some(issues) = shared.cache.get(&key) {
            checked.push((index, issues));
            continue;
        }
        let issues = linters.check(&key, piece_len)?;
        shared.cache.insert(key, issues.clone());
        checked.push((index, issues));
    }
    Some(checked)
}

/// Checks the pieces of `ahead` not yet cached, one at a time, until a waited-for check
/// is queued; whether it got through them all.
fn check_ahead(linters: &mut Linters, shared: &Shared, ahead: &Ahead) -> bool {
    let give_way = || shared.checks_waiting.load(Ordering::SeqCst) > 0;
    if give_way() {
        return false;
    }
    let cut = cut(&ahead.text, ahead.format);
    let keys = piece_keys(
        &ahead.text,
        &cut,
        ahead.account,
        ahead.format,
        ahead.dialect,
    );
    for (range, key) in cut.pieces.iter().zip(keys) {
        if give_way() {
            return false;
        }
        if shared.cache.get(&key).is_some() {
            continue;
        }
        let Some(issues) = linters.check(&key, range.len()) else {
            return false;
        };
        shared.cache.insert(key, issues);
    }
    true
}

/// A thread's linters, one per dialect, built on first use and kept: building one parses
/// a few hundred rules (about a second), and each keeps a cache of results for sentences
/// it has seen.
#[derive(Default)]
struct Linters(HashMap<EnglishDialect, LintGroup>);

impl Linters {
    /// The issues of one piece; `None` if harper panicked on it (logged).
    fn check(&mut self, key: &PieceKey, piece_len: usize) -> Option<Arc<[PieceIssue]>> {
        let dialect = key.dialect;
        let linter = self
            .0
            .entry(dialect)
            .or_insert_with(|| LintGroup::new_curated(FstDictionary::curated(), dialect.harper()));
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let document = match key.format {
                Format::Markdown => Document::new_markdown_default_curated(&key.text),
                Format::PlainText => Document::new_plain_english_curated(&key.text),
            };
            let mut lints = linter.lint(&document);
            remove_overlaps(&mut lints);
            piece_issues(&key.text, lints, piece_len)
        }));
        match outcome {
            Ok(issues) => Some(issues.into()),
            Err(_) => {
                // The linter may hold half-updated caches, so it is rebuilt.
                tracing::error!(bytes = key.text.len(), "the grammar checker panicked");
                self.0.remove(&dialect);
                None
            }
        }
    }
}
