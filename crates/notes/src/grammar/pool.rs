//! The fixed pool of checker threads; see the module docs of `grammar` for why.
//!
//! A check is cut into pieces (`blocks`); pieces already checked come from the shared
//! cache, and the rest are spread over the threads in contiguous runs of about equal size,
//! so one large note uses every idle thread. Saved notes can be checked ahead of being
//! asked (`check_ahead`), in the threads' spare time.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;
use uuid::Uuid;

use super::cache::PieceCache;
use super::worker::{Ahead, Job, Shared, Unchecked, cut, piece_keys, run_jobs};
use super::{EnglishDialect, Format, GrammarIssue, PieceIssue, place_issues};

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

/// A handle to the pool; cheap to clone. The threads stop when the last handle is dropped.
#[derive(Clone)]
pub struct GrammarChecker {
    queue: SyncSender<Job>,
    threads: usize,
    shared: Arc<Shared>,
}

impl GrammarChecker {
    /// Starts `threads` checker threads (at least one) sharing a cache of about
    /// `cache_bytes` of checked pieces (0: no cache).
    pub fn new(threads: usize, cache_bytes: usize) -> Self {
        let threads = threads.max(1);
        let shared = Arc::new(Shared {
            cache: PieceCache::new(cache_bytes),
            checks_waiting: AtomicUsize::new(0),
            ahead_queued: AtomicUsize::new(0),
        });
        let (queue, jobs) = std::sync::mpsc::sync_channel(threads * QUEUE_PER_THREAD);
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let (jobs, shared) = (jobs.clone(), shared.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("grammar-{n}"))
                .spawn(move || run_jobs(&jobs, &shared));
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a grammar checker thread");
            }
        }
        Self {
            queue,
            threads,
            shared,
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
        let cut = cut(&text, format);
        let keys = piece_keys(&text, &cut, account, format, dialect);
        let mut found: Vec<Option<Arc<[PieceIssue]>>> = vec![None; cut.pieces.len()];
        let mut unchecked = Vec::new();
        for (index, (range, key)) in cut.pieces.iter().zip(keys).enumerate() {
            match self.shared.cache.get(&key) {
                Some(issues) => found[index] = Some(issues),
                None => unchecked.push(Unchecked {
                    index,
                    piece_len: range.len(),
                    key,
                }),
            }
        }
        let mut answers = Vec::new();
        for pieces in spread(unchecked, self.threads) {
            let (reply, answer) = oneshot::channel();
            // Jobs already queued still run and fill the cache for the retry. A spread
            // check takes up to `threads` places in the queue.
            self.shared.checks_waiting.fetch_add(1, Ordering::SeqCst);
            match self.queue.try_send(Job::Check { pieces, reply }) {
                Ok(()) => answers.push(answer),
                Err(refused) => {
                    self.shared.checks_waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(match refused {
                        TrySendError::Full(_) => GrammarUnavailable::Busy,
                        TrySendError::Disconnected(_) => GrammarUnavailable::Failed,
                    });
                }
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

    /// Checks a saved text in the threads' spare time, so that `account`'s later check of
    /// it in `dialect` answers from the cache. It waits behind the checks already queued
    /// and gives way between two pieces to any check queued after it. It is not queued
    /// (`None`) when the cache is off or `threads` texts already wait to be checked ahead;
    /// otherwise the answer tells, once it is over, whether every piece is checked.
    pub fn check_ahead(
        &self,
        account: Uuid,
        text: String,
        format: Format,
        dialect: EnglishDialect,
    ) -> Option<oneshot::Receiver<bool>> {
        if !self.shared.cache.is_on() {
            return None;
        }
        let ahead = &self.shared.ahead_queued;
        if ahead.fetch_add(1, Ordering::SeqCst) >= self.threads {
            ahead.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let (done, finished) = oneshot::channel();
        let job = Job::Ahead(Ahead {
            account,
            text,
            format,
            dialect,
            done,
        });
        if self.queue.try_send(job).is_err() {
            ahead.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(finished)
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

#[cfg(test)]
mod tests {
    use harper_core::Dialect;
    use harper_core::linting::{LintGroup, Linter};
    use harper_core::spell::FstDictionary;
    use harper_core::{Document, remove_overlaps};

    use super::super::cache::PieceKey;
    use super::super::{blocks, piece_issues};
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

    impl GrammarChecker {
        /// Whether every piece of `text` is cached for `account` in `dialect`: a check of
        /// it now runs no checker.
        fn is_cached(
            &self,
            account: Uuid,
            text: &str,
            format: Format,
            dialect: EnglishDialect,
        ) -> bool {
            let cut = cut(text, format);
            piece_keys(text, &cut, account, format, dialect)
                .iter()
                .all(|key| self.shared.cache.get(key).is_some())
        }
    }

    /// A long text of `paragraphs` distinct paragraphs, each a piece of its own.
    fn distinct_paragraphs(paragraphs: usize) -> String {
        (0..paragraphs)
            .map(|n| long_paragraph(&format!("Paragraf {n} are about the number {n}.")))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    #[tokio::test]
    async fn a_text_checked_ahead_is_then_answered_from_the_cache() {
        let checker = GrammarChecker::new(1, 1 << 20);
        let text = distinct_paragraphs(3);
        let american = EnglishDialect::American;
        assert!(!checker.is_cached(Uuid::nil(), &text, Format::Markdown, american));
        let ahead = checker.check_ahead(Uuid::nil(), text.clone(), Format::Markdown, american);
        assert_eq!(ahead.unwrap().await, Ok(true));
        assert!(checker.is_cached(Uuid::nil(), &text, Format::Markdown, american));
        let british = EnglishDialect::British;
        assert!(!checker.is_cached(Uuid::nil(), &text, Format::Markdown, british));
        let other = Uuid::from_u128(1);
        assert!(!checker.is_cached(other, &text, Format::Markdown, american));
        let issues = check(&checker, &text, Format::Markdown).await;
        assert!(issues.iter().any(|issue| issue.text == "Paragraf"));
        assert_eq!(issues, whole_text_issues(&text, Format::Markdown));

        let no_cache = GrammarChecker::new(1, 0);
        let refused = no_cache.check_ahead(Uuid::nil(), text, Format::Markdown, american);
        assert!(refused.is_none());
    }

    #[tokio::test]
    async fn checking_ahead_gives_way_to_a_check_someone_waits_for() {
        // One thread: the text checked ahead takes it first, and the check queued after it
        // runs only once the thread is free again.
        let checker = GrammarChecker::new(1, 1 << 20);
        let long = distinct_paragraphs(40);
        let american = EnglishDialect::American;
        let ahead = checker.check_ahead(Uuid::nil(), long.clone(), Format::Markdown, american);
        let issues = check(&checker, "This is an speling mistake.", Format::Markdown).await;
        assert!(issues.iter().any(|issue| issue.text == "speling"));
        // Checking all 40 pieces first would have cached them all; it stopped instead.
        assert_eq!(ahead.unwrap().await, Ok(false));
        assert!(!checker.is_cached(Uuid::nil(), &long, Format::Markdown, american));
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
            assert!(
                checker.shared.cache.get(&key).is_some(),
                "{range:?} is cached"
            );
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
        assert!(checker.shared.cache.get(&other).is_none());
    }
}
