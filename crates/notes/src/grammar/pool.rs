//! The fixed pool of checker threads; see the module docs of `grammar` for why.
//!
//! A check is cut into pieces (`blocks`); pieces already checked come from the shared
//! cache, and the rest are spread over the threads in contiguous runs of about equal size,
//! so one large note uses every idle thread.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use harper_core::linting::{LintGroup, Linter};
use harper_core::spell::FstDictionary;
use harper_core::{Document, remove_overlaps};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::cache::{PieceCache, PieceKey};
use super::{EnglishDialect, Format, GrammarIssue, PieceIssue, blocks, piece_issues, place_issues};

/// Jobs waiting per thread before new ones are refused (a job is at most one text, a
/// second or so of checking at the largest text accepted).
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

/// A piece not in the cache: its place in the check, and what to check.
struct Unchecked {
    index: usize,
    /// Bytes of the piece itself; `key.text` may go on with the text's link definitions.
    piece_len: usize,
    key: PieceKey,
}

/// Pieces of one text for one thread to check.
struct Job {
    pieces: Vec<Unchecked>,
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

    /// Checks `text` for `account` (whose checks alone share cached pieces); spelling issues
    /// for `accepted` words (lowercase) are left out.
    pub async fn check(
        &self,
        account: Uuid,
        text: String,
        format: Format,
        dialect: EnglishDialect,
        accepted: HashSet<String>,
    ) -> Result<Vec<GrammarIssue>, GrammarUnavailable> {
        // Cutting runs here, on the caller's task: a markdown parse without harper's
        // tagging, about 0.3 ms for 20 KB (a few ms at the largest text a check accepts).
        // Should the parser ever panic, the text is checked whole, as harper parses it.
        let cut = std::panic::catch_unwind(|| blocks::cut(&text, format))
            .unwrap_or_else(|_| blocks::Cut::whole(&text));
        let mut found: Vec<Option<Arc<[PieceIssue]>>> = vec![None; cut.pieces.len()];
        let mut unchecked = Vec::new();
        for (index, range) in cut.pieces.iter().enumerate() {
            let piece = &text[range.clone()];
            let document = if cut.definitions.is_empty() {
                piece.into()
            } else {
                format!("{piece}\n\n{}", cut.definitions).into()
            };
            let key = PieceKey {
                account,
                format,
                dialect,
                text: document,
            };
            match self.cache.get(&key) {
                Some(issues) => found[index] = Some(issues),
                None => unchecked.push(Unchecked {
                    index,
                    piece_len: piece.len(),
                    key,
                }),
            }
        }
        let mut answers = Vec::new();
        for pieces in spread(unchecked, self.threads) {
            let (reply, answer) = oneshot::channel();
            // Jobs already queued still run and fill the cache for the retry. A spread
            // check takes up to `threads` places in the queue.
            match self.queue.try_send(Job { pieces, reply }) {
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
        let placed = cut
            .pieces
            .iter()
            .zip(&found)
            .map(|(range, issues)| (range.start, issues.as_deref().unwrap_or_default()));
        Ok(place_issues(&text, placed, &accepted))
    }
}

/// Cuts the pieces into at most `threads` contiguous runs of about equal bytes.
fn spread(pieces: Vec<Unchecked>, threads: usize) -> Vec<Vec<Unchecked>> {
    let total: usize = pieces.iter().map(|piece| piece.piece_len).sum();
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
        run_bytes += piece.piece_len;
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
        let Ok(Job { pieces, reply }) = next else {
            return;
        };
        let wanted = pieces.len();
        let mut checked = Vec::with_capacity(wanted);
        for Unchecked {
            index,
            piece_len,
            key,
        } in pieces
        {
            let dialect = key.dialect;
            let linter = linters.entry(dialect).or_insert_with(|| {
                LintGroup::new_curated(FstDictionary::curated(), dialect.harper())
            });
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let document = match key.format {
                    Format::Markdown => Document::new_markdown_default_curated(&key.text),
                    Format::PlainText => Document::new_plain_english_curated(&key.text),
                };
                let mut lints = linter.lint(&document);
                remove_overlaps(&mut lints);
                piece_issues(&key.text, lints, piece_len)
            }));
            let Ok(issues) = outcome else {
                // The reply is dropped: the caller answers that the check failed. The
                // linter may hold half-updated caches, so it is rebuilt.
                tracing::error!(bytes = key.text.len(), "the grammar checker panicked");
                linters.remove(&dialect);
                break;
            };
            let issues: Arc<[PieceIssue]> = issues.into();
            cache.insert(key, issues.clone());
            checked.push((index, issues));
        }
        if checked.len() == wanted {
            let _ = reply.send(checked);
        }
    }
}

#[cfg(test)]
mod tests {
    use harper_core::Dialect;

    use super::*;

    fn unchecked(index: usize, piece_len: usize) -> Unchecked {
        let key = PieceKey {
            account: Uuid::nil(),
            format: Format::PlainText,
            dialect: EnglishDialect::American,
            text: "x".repeat(piece_len).into(),
        };
        Unchecked {
            index,
            piece_len,
            key,
        }
    }

    fn indexes(runs: &[Vec<Unchecked>]) -> Vec<Vec<usize>> {
        runs.iter()
            .map(|run| run.iter().map(|piece| piece.index).collect())
            .collect()
    }

    #[test]
    fn unchecked_pieces_are_spread_in_runs_of_about_equal_bytes() {
        let pieces = || (0..10).map(|i| unchecked(i, 1000)).collect::<Vec<_>>();
        assert_eq!(
            indexes(&spread(pieces(), 2)),
            [vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]]
        );
        assert_eq!(indexes(&spread(pieces(), 1)), [(0..10).collect::<Vec<_>>()]);
        let small: Vec<Unchecked> = (0..3).map(|i| unchecked(i, 1000)).collect();
        assert_eq!(spread(small, 2).len(), 1, "small checks stay whole");
        assert!(spread(Vec::new(), 2).is_empty());
        let uneven = vec![unchecked(0, 9000), unchecked(1, 100), unchecked(2, 100)];
        assert_eq!(indexes(&spread(uneven, 4)), [vec![0], vec![1, 2]]);
    }

    /// What checking `text` as one harper document finds.
    fn whole_text_issues(text: &str, format: Format) -> Vec<GrammarIssue> {
        let mut linter = LintGroup::new_curated(FstDictionary::curated(), Dialect::American);
        let document = match format {
            Format::Markdown => Document::new_markdown_default_curated(text),
            Format::PlainText => Document::new_plain_english_curated(text),
        };
        let mut lints = linter.lint(&document);
        remove_overlaps(&mut lints);
        let issues = piece_issues(text, lints, text.len());
        place_issues(text, [(0, issues.as_slice())], &HashSet::new())
    }

    async fn check(checker: &GrammarChecker, text: &str, format: Format) -> Vec<GrammarIssue> {
        checker
            .check(
                Uuid::nil(),
                text.into(),
                format,
                EnglishDialect::American,
                HashSet::new(),
            )
            .await
            .unwrap()
    }

    /// Paragraphs of at least a piece's size: each always ends its piece.
    fn long_paragraph(sentence: &str) -> String {
        let mut paragraph = String::new();
        while paragraph.len() < 2048 {
            paragraph.push_str(sentence);
            paragraph.push(' ');
        }
        paragraph
    }

    #[tokio::test]
    async fn checking_in_pieces_finds_what_checking_the_whole_text_finds() {
        let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/systems/");
        let checker = GrammarChecker::new(2, 1 << 20);
        for name in ["notes.md", "backup.md", "jobs.md"] {
            let text = std::fs::read_to_string(format!("{docs}{name}")).unwrap();
            assert!(
                blocks::cut(&text, Format::Markdown).pieces.len() > 2,
                "{name}"
            );
            let whole = whole_text_issues(&text, Format::Markdown);
            assert!(whole.len() > 10, "{name}: {} issues", whole.len());
            let in_pieces = check(&checker, &text, Format::Markdown).await;
            for (a, b) in whole.iter().zip(&in_pieces) {
                assert_eq!(a, b, "{name}");
            }
            assert_eq!(whole.len(), in_pieces.len(), "{name}");
        }
        // A reference link used in one piece and defined in another, and plain text.
        let first = long_paragraph("See [the guide][guide] and ![a logo][logo] for this.");
        let linked = format!(
            "{first}\n\n{}\n\n[guide]: https://example.com/guide\n[logo]: /logo.png\n",
            long_paragraph("This are the second paragraf.")
        );
        let plain = format!(
            "{}\n\n{}\n\nThe end , here.",
            long_paragraph("This are a test with an speling mistake."),
            long_paragraph("A second paragraf, it is is repeated.")
        );
        for (text, format) in [(linked, Format::Markdown), (plain, Format::PlainText)] {
            assert!(blocks::cut(&text, format).pieces.len() > 1);
            let whole = whole_text_issues(&text, format);
            assert!(!whole.is_empty());
            assert_eq!(check(&checker, &text, format).await, whole);
        }
    }

    #[tokio::test]
    async fn cached_pieces_are_placed_where_they_are_now() {
        let checker = GrammarChecker::new(1, 1 << 20);
        let before = format!(
            "# Notes\n\n{}\n\n- a list itme\n",
            long_paragraph("This is an speling mistake.")
        );
        let first = check(&checker, &before, Format::Markdown).await;
        assert!(first.iter().any(|issue| issue.text == "speling"));
        assert!(first.iter().any(|issue| issue.text == "itme"));
        // A paragraph added above: the pieces below it come from the cache and move down
        // by its bytes and lines.
        let added = format!("{}\n\n", long_paragraph("Änother paragraf."));
        let after = format!("{added}{before}");
        let cut = blocks::cut(&after, Format::Markdown);
        assert_eq!(cut.pieces[0], 0..added.len());
        for range in &cut.pieces[1..] {
            let key = PieceKey {
                account: Uuid::nil(),
                format: Format::Markdown,
                dialect: EnglishDialect::American,
                text: after[range.clone()].into(),
            };
            assert!(checker.cache.get(&key).is_some(), "{range:?} is cached");
        }
        let second = check(&checker, &after, Format::Markdown).await;
        assert_eq!(second, whole_text_issues(&after, Format::Markdown));
        let (new_issues, moved) = second.split_at(second.len() - first.len());
        assert!(new_issues.iter().any(|issue| issue.text == "paragraf"));
        assert!(new_issues.iter().all(|issue| issue.end <= added.len()));
        let added_lines = added.matches('\n').count();
        for (old, new) in first.iter().zip(moved) {
            assert_eq!(new.text, old.text);
            assert_eq!(new.start, old.start + added.len());
            assert_eq!(new.line, old.line + added_lines);
        }
        // The account's dictionary applies to cached issues too; another account shares
        // nothing.
        let accepted = HashSet::from(["itme".to_owned()]);
        let filtered = checker
            .check(
                Uuid::nil(),
                after.clone(),
                Format::Markdown,
                EnglishDialect::American,
                accepted,
            )
            .await
            .unwrap();
        assert_eq!(filtered.len(), second.len() - 1);
        let other = PieceKey {
            account: Uuid::from_u128(1),
            format: Format::Markdown,
            dialect: EnglishDialect::American,
            text: after[cut.pieces[1].clone()].into(),
        };
        assert!(checker.cache.get(&other).is_none());
    }
}
