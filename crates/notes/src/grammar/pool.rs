//! The fixed pool of checker threads; see the module docs of `grammar` for why.
//!
//! A check is cut into pieces (`blocks`); pieces already checked come from the shared
//! cache, and the rest are spread over the threads in contiguous runs of about equal size,
//! so one large note uses every idle thread.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use harper_core::linting::{LintGroup, Linter};
use harper_core::spell::FstDictionary;
use harper_core::{Document, remove_overlaps};
use tokio::sync::oneshot;

use super::cache::{PieceCache, PieceKey};
use super::{EnglishDialect, Format, GrammarIssue, PieceIssue, blocks, piece_issues, place_issues};

/// Jobs waiting per thread before new ones are refused (each waits at most a few
/// hundred milliseconds then).
const QUEUE_PER_THREAD: usize = 16;

/// Unchecked text below which a check is not spread over threads: waking another thread
/// and parsing in two pieces costs more than it saves.
const SPREAD_MIN_BYTES: usize = 4 * 1024;

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

/// Pieces of one text for one thread to check.
struct Job {
    text: Arc<str>,
    /// Each piece's index in the check and its bytes in `text`.
    pieces: Vec<(usize, Range<usize>)>,
    format: Format,
    dialect: EnglishDialect,
    reply: oneshot::Sender<Vec<(usize, Arc<[PieceIssue]>)>>,
}

/// A handle to the pool; cheap to clone. The threads stop when the last handle is dropped.
#[derive(Clone)]
pub struct GrammarChecker {
    queue: SyncSender<Job>,
    threads: usize,
    cache: PieceCache,
}

impl GrammarChecker {
    /// Starts `threads` checker threads (at least one) sharing a cache of about
    /// `cache_bytes` of checked pieces (0: no cache).
    pub fn new(threads: usize, cache_bytes: usize) -> Self {
        let threads = threads.max(1);
        let cache = PieceCache::new(cache_bytes);
        let (queue, jobs) = std::sync::mpsc::sync_channel(threads * QUEUE_PER_THREAD);
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let (jobs, cache) = (jobs.clone(), cache.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("grammar-{n}"))
                .spawn(move || run_jobs(&jobs, &cache));
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a grammar checker thread");
            }
        }
        Self {
            queue,
            threads,
            cache,
        }
    }

    /// Checks `text`; spelling issues for `accepted` words (lowercase) are left out.
    pub async fn check(
        &self,
        text: String,
        format: Format,
        dialect: EnglishDialect,
        accepted: HashSet<String>,
    ) -> Result<Vec<GrammarIssue>, GrammarUnavailable> {
        let text: Arc<str> = text.into();
        // Cutting runs here, on the caller's task: a markdown parse without harper's
        // tagging, about 0.3 ms for 20 KB (a few ms at the largest text a check accepts).
        let ranges = blocks::pieces(&text, format);
        let mut found: Vec<Option<Arc<[PieceIssue]>>> = vec![None; ranges.len()];
        let mut unchecked = Vec::new();
        for (index, range) in ranges.iter().enumerate() {
            let key = PieceKey {
                format,
                dialect,
                text: text[range.clone()].into(),
            };
            match self.cache.get(&key) {
                Some(issues) => found[index] = Some(issues),
                None => unchecked.push((index, range.clone())),
            }
        }
        let mut answers = Vec::new();
        for pieces in spread(unchecked, self.threads) {
            let (reply, answer) = oneshot::channel();
            let job = Job {
                text: text.clone(),
                pieces,
                format,
                dialect,
                reply,
            };
            // Jobs already queued still run and fill the cache for the retry.
            match self.queue.try_send(job) {
                Ok(()) => answers.push(answer),
                Err(TrySendError::Full(_)) => return Err(GrammarUnavailable::Busy),
                Err(TrySendError::Disconnected(_)) => return Err(GrammarUnavailable::Failed),
            }
        }
        for answer in answers {
            let checked = answer.await.map_err(|_| GrammarUnavailable::Failed)?;
            for (index, issues) in checked {
                found[index] = Some(issues);
            }
        }
        let placed = ranges
            .iter()
            .zip(&found)
            .map(|(range, issues)| (range.start, issues.as_deref().unwrap_or_default()));
        Ok(place_issues(&text, placed, &accepted))
    }
}

/// Cuts the pieces into at most `threads` contiguous runs of about equal bytes.
fn spread(pieces: Vec<(usize, Range<usize>)>, threads: usize) -> Vec<Vec<(usize, Range<usize>)>> {
    let total: usize = pieces.iter().map(|(_, range)| range.len()).sum();
    if pieces.is_empty() {
        return Vec::new();
    }
    if threads == 1 || total < SPREAD_MIN_BYTES {
        return vec![pieces];
    }
    let share = total.div_ceil(threads);
    let mut runs = vec![Vec::new()];
    let mut run_bytes = 0;
    for piece in pieces {
        if run_bytes >= share && runs.len() < threads {
            runs.push(Vec::new());
            run_bytes = 0;
        }
        run_bytes += piece.1.len();
        if let Some(run) = runs.last_mut() {
            run.push(piece);
        }
    }
    runs
}

fn run_jobs(jobs: &Mutex<Receiver<Job>>, cache: &PieceCache) {
    // One linter per dialect, built on first use and kept: building one parses a few
    // hundred rules, and each keeps a cache of results for text it has seen.
    let mut linters: HashMap<EnglishDialect, LintGroup> = HashMap::new();
    loop {
        let next = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else {
            return;
        };
        let Job {
            text,
            pieces,
            format,
            dialect,
            reply,
        } = job;
        let linter = linters
            .entry(dialect)
            .or_insert_with(|| LintGroup::new_curated(FstDictionary::curated(), dialect.harper()));
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            pieces
                .into_iter()
                .map(|(index, range)| {
                    let piece = &text[range];
                    let document = match format {
                        Format::Markdown => Document::new_markdown_default_curated(piece),
                        Format::PlainText => Document::new_plain_english_curated(piece),
                    };
                    let mut lints = linter.lint(&document);
                    remove_overlaps(&mut lints);
                    let issues: Arc<[PieceIssue]> = piece_issues(piece, lints).into();
                    let key = PieceKey {
                        format,
                        dialect,
                        text: piece.into(),
                    };
                    cache.insert(key, issues.clone());
                    (index, issues)
                })
                .collect::<Vec<_>>()
        }));
        match outcome {
            Ok(checked) => {
                let _ = reply.send(checked);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchecked_pieces_are_spread_in_runs_of_about_equal_bytes() {
        let blocks: Vec<(usize, Range<usize>)> =
            (0..10).map(|i| (i, i * 1000..(i + 1) * 1000)).collect();
        let runs = spread(blocks.clone(), 2);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].len(), 5);
        assert_eq!(runs.concat(), blocks);
        assert_eq!(spread(blocks.clone(), 1), std::slice::from_ref(&blocks));
        assert_eq!(
            spread(blocks[..3].to_vec(), 2).len(),
            1,
            "small checks stay whole"
        );
        assert!(spread(Vec::new(), 2).is_empty());
        let uneven = vec![(0, 0..9000), (1, 9000..9100), (2, 9100..9200)];
        assert_eq!(spread(uneven, 4).len(), 2);
    }
}

#[cfg(test)]
mod piece_tests {
    use harper_core::Dialect;

    use super::*;

    /// What checking `text` as one harper document finds.
    fn whole_text_issues(text: &str, format: Format) -> Vec<GrammarIssue> {
        let mut linter = LintGroup::new_curated(FstDictionary::curated(), Dialect::American);
        let document = match format {
            Format::Markdown => Document::new_markdown_default_curated(text),
            Format::PlainText => Document::new_plain_english_curated(text),
        };
        let mut lints = linter.lint(&document);
        remove_overlaps(&mut lints);
        let issues = piece_issues(text, lints);
        place_issues(text, [(0, issues.as_slice())], &HashSet::new())
    }

    async fn check(checker: &GrammarChecker, text: &str, format: Format) -> Vec<GrammarIssue> {
        checker
            .check(
                text.into(),
                format,
                EnglishDialect::American,
                HashSet::new(),
            )
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn checking_by_pieces_finds_what_checking_the_whole_text_finds() {
        let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/systems/");
        let checker = GrammarChecker::new(2, 1 << 20);
        for name in ["notes.md", "backup.md", "polls.md"] {
            let text = std::fs::read_to_string(format!("{docs}{name}")).unwrap();
            let whole = whole_text_issues(&text, Format::Markdown);
            assert!(whole.len() > 10, "{name}: {} issues", whole.len());
            let by_blocks = check(&checker, &text, Format::Markdown).await;
            for (a, b) in whole.iter().zip(&by_blocks) {
                assert_eq!(a, b, "{name}");
            }
            assert_eq!(whole.len(), by_blocks.len(), "{name}");
        }
        let plain = "This are a test.\nIt has an speling mistake.\n\nA second paragraf. \
                     It is is repeated.\n\n\nThe end , here.";
        assert_eq!(
            check(&checker, plain, Format::PlainText).await,
            whole_text_issues(plain, Format::PlainText)
        );
    }

    #[tokio::test]
    async fn cached_pieces_are_placed_where_they_are_now() {
        let checker = GrammarChecker::new(1, 1 << 20);
        let before = "# Notes\n\nThis is an speling mistake.\n\n- a list itme\n";
        let first = check(&checker, before, Format::Markdown).await;
        let misspelled: Vec<&str> = first.iter().map(|issue| issue.text.as_str()).collect();
        assert_eq!(misspelled, ["an", "speling", "itme"]);
        // A paragraph added above: the cached blocks move down by its bytes and lines.
        let added = "Änother paragraf.\n\n";
        let after = format!("{added}{before}");
        let second = check(&checker, &after, Format::Markdown).await;
        assert_eq!(second, whole_text_issues(&after, Format::Markdown));
        let (new_issues, moved) = second.split_at(second.len() - first.len());
        assert!(new_issues.iter().any(|issue| issue.text == "paragraf"));
        assert!(new_issues.iter().all(|issue| issue.end <= added.len()));
        for (old, new) in first.iter().zip(moved) {
            assert_eq!(new.text, old.text);
            assert_eq!(new.start, old.start + added.len());
            assert_eq!(new.line, old.line + 2);
        }
        // The account's dictionary applies to cached issues too.
        let accepted = HashSet::from(["itme".to_owned()]);
        let filtered = checker
            .check(
                after.clone(),
                Format::Markdown,
                EnglishDialect::American,
                accepted,
            )
            .await
            .unwrap();
        assert_eq!(filtered.len(), second.len() - 1);
    }
}
