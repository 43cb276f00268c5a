//! A text's blocks: the pieces a check is cut into, so each can be cached and the pieces
//! of one check can run on several threads.
//!
//! harper reads a document paragraph by paragraph: its rules look at one sentence or one
//! paragraph, never across a paragraph break. Checking each top-level markdown block (a
//! paragraph, a heading, a list, a table, ...) on its own therefore finds what checking
//! the whole note finds (`tests/grammar.rs` compares the two), and an edited note only
//! needs its changed blocks checked again.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;

use comrak::{Arena, Options, parse_document};

use super::Format;
use crate::markdown::{MAX_NESTING, nesting_depth};

/// The byte ranges of `text`'s blocks, in order, covering the whole text: each block runs
/// from its first line to the line before the next block, so the blank lines and link
/// reference definitions between blocks stay with the block before them.
fn split(text: &str, format: Format) -> Vec<Range<usize>> {
    if text.is_empty() {
        return Vec::new();
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .filter(|start| *start < text.len())
        .collect();
    let first_lines = match format {
        Format::Markdown => markdown_first_lines(text),
        Format::PlainText => paragraph_first_lines(text),
    };
    let Some(first_lines) = first_lines else {
        return std::iter::once(0..text.len()).collect();
    };
    let mut starts: Vec<usize> = first_lines
        .into_iter()
        .filter_map(|line| line_starts.get(line).copied())
        .collect();
    // The first block takes whatever precedes it (blank lines, reference definitions).
    match starts.first_mut() {
        Some(first) => *first = 0,
        None => starts.push(0),
    }
    starts.dedup();
    let mut ranges: Vec<Range<usize>> = starts.windows(2).map(|pair| pair[0]..pair[1]).collect();
    if let Some(last) = starts.last() {
        ranges.push(*last..text.len());
    }
    ranges
}

/// The size a piece averages, in bytes of text.
const PIECE_BYTES: u64 = 2048;
/// A piece always ends after a block once it holds this many bytes.
const MAX_PIECE_BYTES: usize = 16 * 1024;

/// The text's blocks, grouped into pieces of about 2 KB: what a check caches and spreads
/// over threads.
///
/// Each piece is a harper document of its own, and a document has a fixed cost (about
/// 2 ms), so one-paragraph pieces made a new note a third slower to check. Whether a
/// piece ends after a block depends only on that block's text (a hash, with odds in
/// proportion to its length), not on where the piece began: an edit changes the piece it
/// is in (merging it with the next if the edited block ended a piece), and every other
/// piece is the same text as before, so it comes from the cache.
pub(super) fn pieces(text: &str, format: Format) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = None;
    for block in split(text, format) {
        let piece_start = *start.get_or_insert(block.start);
        if block.end - piece_start >= MAX_PIECE_BYTES || ends_piece(&text[block.clone()]) {
            pieces.push(piece_start..block.end);
            start = None;
        }
    }
    if let Some(piece_start) = start {
        pieces.push(piece_start..text.len());
    }
    pieces
}

fn ends_piece(block: &str) -> bool {
    let mut hasher = DefaultHasher::new();
    block.hash(&mut hasher);
    hasher.finish() % PIECE_BYTES < block.len() as u64
}

/// The 0-based first line of each top-level markdown block, or `None` when the text nests
/// too deeply to parse cheaply (it is then checked whole, by harper's own parser).
fn markdown_first_lines(text: &str) -> Option<Vec<usize>> {
    if nesting_depth(text) > MAX_NESTING {
        return None;
    }
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    let arena = Arena::new();
    let root = parse_document(&arena, text, &options);
    let mut lines: Vec<usize> = root
        .children()
        .map(|block| block.data.borrow().sourcepos.start.line)
        .filter(|line| *line > 0)
        .map(|line| line - 1)
        .collect();
    // Document order is line order; a parser quirk must not make a range run backwards.
    lines.sort_unstable();
    Some(lines)
}

/// The 0-based first line of each paragraph of plain text (paragraphs are separated by
/// blank lines).
fn paragraph_first_lines(text: &str) -> Option<Vec<usize>> {
    let mut lines = Vec::new();
    let mut after_blank = true;
    for (number, line) in text.split('\n').enumerate() {
        let blank = line.trim().is_empty();
        if after_blank && !blank {
            lines.push(number);
        }
        after_blank = blank;
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_texts(text: &str, format: Format) -> Vec<&str> {
        split(text, format)
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn markdown_is_cut_at_top_level_blocks_and_nothing_is_lost() {
        let text = "\n[ref]: https://example.com\n# Title\n\nFirst paragraph\nstill first.\n\n\
                    - a list\n\n  with a loose item\n- second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                    ```\ncode\n\nmore code\n```\nLast.";
        let got = block_texts(text, Format::Markdown);
        assert_eq!(
            got,
            [
                "\n[ref]: https://example.com\n# Title\n\n",
                "First paragraph\nstill first.\n\n",
                "- a list\n\n  with a loose item\n- second\n\n",
                "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
                "```\ncode\n\nmore code\n```\n",
                "Last.",
            ]
        );
        assert_eq!(got.concat(), text);
    }

    #[test]
    fn plain_text_is_cut_at_blank_lines() {
        let text = "One.\nStill one.\n\n \nTwo.\n\nThree.\n";
        assert_eq!(
            block_texts(text, Format::PlainText),
            ["One.\nStill one.\n\n \n", "Two.\n\n", "Three.\n"]
        );
        assert_eq!(block_texts("  \n\n", Format::PlainText), ["  \n\n"]);
        assert!(split("", Format::Markdown).is_empty());
    }

    #[test]
    fn pieces_cover_the_text_and_an_edit_changes_only_its_own_piece() {
        let paragraph = |n: usize| format!("Paragraph {n} says something about item {n}.\n\n");
        let text: String = (0..400).map(paragraph).collect();
        let before = pieces(&text, Format::Markdown);
        let covered: String = before.iter().map(|range| &text[range.clone()]).collect();
        assert_eq!(covered, text);
        assert!(
            (text.len() / 4096..text.len() / 1024).contains(&before.len()),
            "{} pieces of {} bytes",
            before.len(),
            text.len()
        );
        assert!(
            before
                .iter()
                .all(|range| range.len() <= MAX_PIECE_BYTES + 64)
        );
        // A paragraph added in the fifth piece: the pieces before and after it are the same
        // text as before.
        let at = before[4].start + 50;
        let edited = format!("{}An inserted paragraph.\n\n{}", &text[..at], &text[at..]);
        let after = pieces(&edited, Format::Markdown);
        let texts = |source: &str, ranges: &[Range<usize>]| -> Vec<String> {
            ranges
                .iter()
                .map(|range| source[range.clone()].to_owned())
                .collect()
        };
        let (old, new) = (texts(&text, &before), texts(&edited, &after));
        let same_start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let same_end = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        assert_eq!(same_start, 4);
        assert!(
            same_start + same_end >= old.len() - 2,
            "{same_start} + {same_end} of {}",
            old.len()
        );
    }

    #[test]
    fn deeply_nested_markdown_is_one_block() {
        let text = format!("{}deep\n\nnext", "> ".repeat(MAX_NESTING + 1));
        assert_eq!(split(&text, Format::Markdown), vec![(0..text.len())]);
    }
}
