//! The fixed pool of checker threads; see the module docs of `grammar` for why.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use harper_core::linting::{LintGroup, Linter};
use harper_core::spell::FstDictionary;
use harper_core::{Document, remove_overlaps};
use tokio::sync::oneshot;

use super::{EnglishDialect, Format, GrammarIssue, issues_from_lints};

/// Checks waiting per thread before new ones are refused (each waits at most a few
/// hundred milliseconds then).
const QUEUE_PER_THREAD: usize = 16;

/// Why a check did not run.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GrammarUnavailable {
    /// Every thread is busy and the queue is full.
    #[error("the grammar checker is busy; try again shortly")]
    Busy,
    /// The checker failed on this text (a bug in the checker, logged).
    #[error("the grammar checker failed on this text")]
    Failed,
}

struct Check {
    text: String,
    format: Format,
    dialect: EnglishDialect,
    accepted: HashSet<String>,
    reply: oneshot::Sender<Vec<GrammarIssue>>,
}

/// A handle to the pool; cheap to clone. The threads stop when the last handle is dropped.
#[derive(Clone)]
pub struct GrammarChecker {
    queue: SyncSender<Check>,
}

impl GrammarChecker {
    /// Starts `threads` checker threads (at least one).
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (queue, checks) = std::sync::mpsc::sync_channel(threads * QUEUE_PER_THREAD);
        let checks = Arc::new(Mutex::new(checks));
        for n in 0..threads {
            let checks = checks.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("grammar-{n}"))
                .spawn(move || run_checks(&checks));
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a grammar checker thread");
            }
        }
        Self { queue }
    }

    /// Checks `text`; spelling issues for `accepted` words (lowercase) are left out.
    pub async fn check(
        &self,
        text: String,
        format: Format,
        dialect: EnglishDialect,
        accepted: HashSet<String>,
    ) -> Result<Vec<GrammarIssue>, GrammarUnavailable> {
        let (reply, answer) = oneshot::channel();
        let check = Check {
            text,
            format,
            dialect,
            accepted,
            reply,
        };
        match self.queue.try_send(check) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(GrammarUnavailable::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(GrammarUnavailable::Failed),
        }
        answer.await.map_err(|_| GrammarUnavailable::Failed)
    }
}

fn run_checks(checks: &Mutex<Receiver<Check>>) {
    // One linter per dialect, built on first use and kept: building one parses a few
    // hundred rules, and each keeps a cache of results for text it has seen.
    let mut linters: HashMap<EnglishDialect, LintGroup> = HashMap::new();
    loop {
        let next = match checks.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(check) = next else {
            return;
        };
        let Check {
            text,
            format,
            dialect,
            accepted,
            reply,
        } = check;
        let linter = linters
            .entry(dialect)
            .or_insert_with(|| LintGroup::new_curated(FstDictionary::curated(), dialect.harper()));
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let document = match format {
                Format::Markdown => Document::new_markdown_default_curated(&text),
                Format::PlainText => Document::new_plain_english_curated(&text),
            };
            let mut lints = linter.lint(&document);
            remove_overlaps(&mut lints);
            issues_from_lints(&text, lints, &accepted)
        }));
        match outcome {
            Ok(issues) => {
                let _ = reply.send(issues);
            }
            Err(_) => {
                // The reply is dropped: the caller answers that the check failed. The
                // linter may hold half-updated caches, so it is rebuilt.
                tracing::error!(bytes = text.len(), "the grammar checker panicked");
                linters.remove(&dialect);
            }
        }
    }
}
