//! Grammar and spelling checks with harper-core: offline, no network, about 150 ms of CPU
//! per thousand words of text it has not seen.
//!
//! Checking is CPU work and harper keeps per-thread state (a tagger model loaded once per
//! thread, result caches per linter), so checks run on a small fixed pool of threads, each
//! owning its linters, and requests wait for a free thread instead of piling onto tokio's
//! blocking pool. A text is checked in pieces of whole blocks (paragraphs, headings,
//! lists, ...; see `blocks`): pieces already checked come from a cache shared by the
//! threads, and the others are spread over the idle threads. Markdown is parsed as markdown: code, inline code, URLs
//! and raw HTML are never checked, and every span points into the original text.

mod blocks;
mod cache;
mod pool;
mod spans;
mod worker;

use std::collections::HashSet;

use harper_core::linting::{Lint, LintKind, Suggestion};
use serde::Serialize;
use utoipa::ToSchema;

pub use pool::{GrammarChecker, GrammarUnavailable};
pub use spans::SpanMap;

/// How the text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Markdown: its syntax, code and HTML are skipped.
    Markdown,
    /// Plain prose.
    PlainText,
}

/// The English variety spelling follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EnglishDialect {
    /// American (the default).
    #[default]
    American,
    /// British.
    British,
    /// Canadian.
    Canadian,
    /// Australian.
    Australian,
    /// Indian.
    Indian,
}

impl EnglishDialect {
    fn harper(self) -> harper_core::Dialect {
        match self {
            Self::American => harper_core::Dialect::American,
            Self::British => harper_core::Dialect::British,
            Self::Canadian => harper_core::Dialect::Canadian,
            Self::Australian => harper_core::Dialect::Australian,
            Self::Indian => harper_core::Dialect::Indian,
        }
    }
}

/// A problem found in the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrammarIssue {
    /// `spelling`, `grammar`, `style` or `punctuation`.
    pub kind: &'static str,
    /// harper's finer category (`Spelling`, `WordChoice`, `Repetition`, ...).
    pub rule: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The flagged text.
    pub text: String,
    /// Byte offset where it starts in the submitted text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in characters.
    pub column: usize,
    /// 1-based line of `end`.
    pub end_line: usize,
    /// 1-based column of `end`, in characters.
    pub end_column: usize,
    /// Replacements for the flagged text, best first (empty: delete it).
    pub suggestions: Vec<String>,
}

/// The broad class of a harper lint kind.
pub fn kind_of(kind: LintKind) -> &'static str {
    match kind {
        LintKind::Spelling | LintKind::Typo => "spelling",
        LintKind::Punctuation | LintKind::Formatting => "punctuation",
        LintKind::Style
        | LintKind::Readability
        | LintKind::Redundancy
        | LintKind::Enhancement
        | LintKind::WordChoice
        | LintKind::Regionalism
        | LintKind::Nonstandard => "style",
        _ => "grammar",
    }
}

/// An issue found in one piece of a text, spanning bytes of that piece: what the piece
/// cache keeps, so a piece's issues can be placed wherever the piece turns up again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PieceIssue {
    kind: &'static str,
    rule: String,
    message: String,
    start: usize,
    end: usize,
    suggestions: Vec<String>,
}

impl PieceIssue {
    /// Roughly the bytes it holds, for the cache's budget.
    pub(crate) fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.rule.len()
            + self.message.len()
            + self.suggestions.iter().map(|s| s.len() + 24).sum::<usize>()
    }
}

/// Turns harper's lints of `piece` (char spans) into issues spanning its bytes, keeping
/// those within its first `checked_len` bytes (what follows is context: link definitions).
pub(crate) fn piece_issues(piece: &str, lints: Vec<Lint>, checked_len: usize) -> Vec<PieceIssue> {
    let map = SpanMap::new(piece);
    lints
        .into_iter()
        .filter_map(|lint| {
            let (start, end) = (map.byte(lint.span.start)?, map.byte(lint.span.end)?);
            if end > checked_len {
                return None;
            }
            let text = piece.get(start..end)?;
            let suggestions = lint
                .suggestions
                .iter()
                .map(|suggestion| match suggestion {
                    Suggestion::ReplaceWith(chars) => chars.iter().collect(),
                    Suggestion::InsertAfter(chars) => {
                        format!("{text}{}", chars.iter().collect::<String>())
                    }
                    Suggestion::Remove => String::new(),
                })
                .collect();
            Some(PieceIssue {
                kind: kind_of(lint.lint_kind),
                rule: lint.lint_kind.to_string_key(),
                message: lint.message,
                start,
                end,
                suggestions,
            })
        })
        .collect()
}

/// Places each piece's issues (the piece starting at the given byte of `source`) in
/// `source`, with line/column spans, leaving out spelling issues for words in `accepted`
/// (lowercased); sorted by position.
pub(crate) fn place_issues<'a>(
    source: &str,
    pieces: impl IntoIterator<Item = (usize, &'a [PieceIssue])>,
    accepted: &HashSet<String>,
) -> Vec<GrammarIssue> {
    let map = SpanMap::new(source);
    let mut issues = Vec::new();
    for (offset, found) in pieces {
        for issue in found {
            let (start, end) = (offset + issue.start, offset + issue.end);
            let Some(text) = source.get(start..end) else {
                continue;
            };
            if issue.kind == "spelling" && accepted.contains(&text.to_lowercase()) {
                continue;
            }
            let (line, column) = map.line_column(start);
            let (end_line, end_column) = map.line_column(end);
            issues.push(GrammarIssue {
                kind: issue.kind,
                rule: issue.rule.clone(),
                message: issue.message.clone(),
                text: text.to_owned(),
                start,
                end,
                line,
                column,
                end_line,
                end_column,
                suggestions: issue.suggestions.clone(),
            });
        }
    }
    issues.sort_by_key(|issue| (issue.start, issue.end));
    issues
}
