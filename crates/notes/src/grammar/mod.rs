//! Grammar and spelling checks with harper-core: offline, no network, a few milliseconds
//! per thousand words.
//!
//! Checking is CPU work and harper keeps per-thread state (a tagger model loaded once per
//! thread, result caches per linter), so checks run on a small fixed pool of threads, each
//! owning its linters, and requests wait for a free thread instead of piling onto tokio's
//! blocking pool. Markdown is parsed as markdown: code, inline code, URLs and raw HTML are
//! never checked, and every span points into the original text.

mod pool;
mod spans;

use std::collections::HashSet;

use harper_core::linting::{Lint, LintKind, Suggestion};
use serde::Serialize;
use utoipa::ToSchema;

pub use pool::{GrammarChecker, GrammarUnavailable};
pub use spans::SpanMap;

/// How the text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// Turns harper's lints (char spans) into issues (byte and line/column spans), dropping
/// spelling issues for words in `accepted` (lowercased).
pub(crate) fn issues_from_lints(
    source: &str,
    lints: Vec<Lint>,
    accepted: &HashSet<String>,
) -> Vec<GrammarIssue> {
    let map = SpanMap::new(source);
    let mut issues: Vec<GrammarIssue> = lints
        .into_iter()
        .filter_map(|lint| {
            let (start, end) = (map.byte(lint.span.start)?, map.byte(lint.span.end)?);
            let text = source.get(start..end)?.to_owned();
            let kind = kind_of(lint.lint_kind);
            if kind == "spelling" && accepted.contains(&text.to_lowercase()) {
                return None;
            }
            let (line, column) = map.line_column(start);
            let (end_line, end_column) = map.line_column(end);
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
            Some(GrammarIssue {
                kind,
                rule: lint.lint_kind.to_string_key(),
                message: lint.message,
                text,
                start,
                end,
                line,
                column,
                end_line,
                end_column,
                suggestions,
            })
        })
        .collect();
    issues.sort_by_key(|issue| (issue.start, issue.end));
    issues
}
