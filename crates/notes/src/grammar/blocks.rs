//! A text's blocks, grouped into the pieces a check is cut into, so each piece can be
//! cached and the pieces of one check can run on several threads.
//!
//! harper reads a document paragraph by paragraph: its rules look at one sentence or one
//! paragraph, never across a paragraph break. Checking runs of whole top-level markdown
//! blocks (paragraphs, headings, lists, tables, ...) on their own therefore finds what
//! checking the whole note finds (a test in `pool` compares the two on real documents),
//! and an edited note only needs the piece it changed checked again.

use std::ops::Range;

use comrak::{Arena, parse_document};

use super::Format;
use super::spans::line_starts;
use crate::markdown::{MAX_NESTING, gfm_parse_options, nesting_depth};

/// A text cut for checking.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Cut {
    /// The pieces' byte ranges, in order, covering the whole text.
    pub pieces: Vec<Range<usize>>,
    /// The text's link reference definitions (`[label]: url`), one per line: each piece is
    /// checked with them after it, so that `[text][label]` reads as a link wherever its
    /// definition is (issues in them are not reported).
    pub definitions: String,
}

impl Cut {
    /// The text as one piece.
    pub fn whole(text: &str) -> Self {
        Self {
            pieces: std::iter::once(0..text.len())
                .filter(|range| !range.is_empty())
                .collect(),
            definitions: String::new(),
        }
    }
}

/// The text's blocks grouped into pieces; see [`pieces`].
pub(super) fn cut(text: &str, format: Format) -> Cut {
    if text.is_empty() {
        return Cut::whole(text);
    }
    let (blocks, definitions) = split(text, format);
    Cut {
        pieces: pieces(text, blocks),
        definitions,
    }
}

/// The byte ranges of a (non-empty) text's blocks, and its link reference definitions.
fn split(text: &str, format: Format) -> (Vec<Range<usize>>, String) {
    let line_starts: Vec<usize> = line_starts(text)
        .into_iter()
        .filter(|start| *start < text.len())
        .collect();
    let (first_lines, definitions) = match format {
        Format::PlainText => (paragraph_first_lines(text, &line_starts), String::new()),
        Format::Markdown => match markdown_blocks(text) {
            Some(blocks) => {
                let definitions = lines_outside(text, &line_starts, &blocks);
                (
                    blocks.into_iter().map(|lines| lines.start).collect(),
                    definitions,
                )
            }
            None => return (Cut::whole(text).pieces, String::new()),
        },
    };
    (
        block_ranges(text.len(), &line_starts, first_lines),
        definitions,
    )
}

/// The byte ranges of the blocks starting at these lines, covering the whole text: each
/// block runs from its first line to the line before the next block, so the blank lines
/// and link reference definitions between blocks stay with the block before them.
fn block_ranges(len: usize, line_starts: &[usize], first_lines: Vec<usize>) -> Vec<Range<usize>> {
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
        ranges.push(*last..len);
    }
    ranges
}

/// The size a piece averages, in bytes of text.
const PIECE_BYTES: u64 = 2048;
/// A piece always ends after a block once it holds this many bytes.
const MAX_PIECE_BYTES: usize = 16 * 1024;

/// The blocks grouped into pieces of about 2 KB: what a check caches and spreads over
/// threads.
///
/// Each piece is a harper document of its own, and a document has a fixed cost (about
/// 2 ms), so one-paragraph pieces made a new note a third slower to check. Whether a
/// piece ends after a block depends only on that block's text (a hash, with odds in
/// proportion to its length), not on where the piece began: an edit changes the piece it
/// is in (merging it with the next if the edited block ended a piece), and the other
/// pieces are the same text as before, so they come from the cache. (A piece that reaches
/// 16 KB without such a block is cut anyway; the cuts after it realign at the next block
/// whose hash ends a piece.)
fn pieces(text: &str, blocks: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = None;
    for block in blocks {
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

/// Whether a piece ends after this block: with probability about `len / PIECE_BYTES`,
/// decided by the block's FNV-1a hash (fixed, so cuts are the same in every process and
/// every Rust release).
fn ends_piece(block: &str) -> bool {
    let hash = block.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % PIECE_BYTES < block.len() as u64
}

/// The 0-based lines of each top-level markdown block (first and last), in order, or
/// `None` when the text nests too deeply to parse cheaply (it is then checked whole, by
/// harper's own parser).
fn markdown_blocks(text: &str) -> Option<Vec<Range<usize>>> {
    if nesting_depth(text) > MAX_NESTING {
        return None;
    }
    let mut options = gfm_parse_options();
    // Footnote definitions stay where they are written (comrak moves them to the end).
    options.parse.leave_footnote_definitions = true;
    let arena = Arena::new();
    let root = parse_document(&arena, text, &options);
    let mut blocks: Vec<Range<usize>> = root
        .children()
        .filter_map(|block| {
            let position = block.data.borrow().sourcepos;
            let first = position.start.line.checked_sub(1)?;
            Some(first..position.end.line.max(first + 1))
        })
        .collect();
    // Document order is line order; should a parser quirk break that, a range must still
    // not run backwards.
    blocks.sort_unstable_by_key(|lines| lines.start);
    Some(blocks)
}

/// The non-blank lines in no block: in markdown, the link reference definitions.
fn lines_outside(text: &str, line_starts: &[usize], blocks: &[Range<usize>]) -> String {
    let mut inside = vec![false; line_starts.len()];
    for lines in blocks {
        for line in lines.clone() {
            if let Some(flag) = inside.get_mut(line) {
                *flag = true;
            }
        }
    }
    let ends = line_starts.iter().skip(1).copied().chain([text.len()]);
    let mut outside = String::new();
    for ((start, end), inside) in line_starts.iter().copied().zip(ends).zip(inside) {
        let line = text[start..end].trim_end();
        if !inside && !line.trim().is_empty() {
            outside.push_str(line);
            outside.push('\n');
        }
    }
    outside
}

/// The 0-based first line of each paragraph of plain text (paragraphs are separated by
/// blank lines).
fn paragraph_first_lines(text: &str, line_starts: &[usize]) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut after_blank = true;
    let ends = line_starts.iter().skip(1).copied().chain([text.len()]);
    for (number, (start, end)) in line_starts.iter().copied().zip(ends).enumerate() {
        let blank = text[start..end].trim().is_empty();
        if after_blank && !blank {
            lines.push(number);
        }
        after_blank = blank;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_texts(text: &str, format: Format) -> Vec<&str> {
        split(text, format)
            .0
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    fn piece_texts<'a>(text: &'a str, cut: &Cut) -> Vec<&'a str> {
        cut.pieces
            .iter()
            .map(|range| &text[range.clone()])
            .collect()
    }

    #[test]
    fn markdown_is_cut_at_top_level_blocks_and_nothing_is_lost() {
        let text = "\n[ref]: https://example.com\n# Title\n\nFirst paragraph\nstill first.\n\n\
                    - a list\n\n  with a loose item\n- second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                    ```\ncode\n\nmore code\n```\nA [link][ref] and a note.[^1]\n\n\
                    [^1]: The footnote.\n\n[other]: /other\nLast.";
        let got = block_texts(text, Format::Markdown);
        assert_eq!(
            got,
            [
                "\n[ref]: https://example.com\n# Title\n\n",
                "First paragraph\nstill first.\n\n",
                "- a list\n\n  with a loose item\n- second\n\n",
                "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
                "```\ncode\n\nmore code\n```\n",
                "A [link][ref] and a note.[^1]\n\n",
                "[^1]: The footnote.\n\n",
                // A definition opening a paragraph stays with it (and is not shared).
                "[other]: /other\nLast.",
            ]
        );
        assert_eq!(got.concat(), text);
        assert_eq!(
            split(text, Format::Markdown).1,
            "[ref]: https://example.com\n"
        );
    }

    #[test]
    fn plain_text_is_cut_at_blank_lines() {
        let text = "One.\nStill one.\n\n \nTwo.\n\nThree.\n";
        assert_eq!(
            block_texts(text, Format::PlainText),
            ["One.\nStill one.\n\n \n", "Two.\n\n", "Three.\n"]
        );
        assert_eq!(block_texts("  \n\n", Format::PlainText), ["  \n\n"]);
        assert_eq!(split("[a]: /b\n\nc", Format::PlainText).1, "");
        assert!(cut("", Format::Markdown).pieces.is_empty());
    }

    #[test]
    fn pieces_cover_the_text_and_an_edit_changes_only_its_own_piece() {
        let paragraph = |n: usize| format!("Paragraph {n} says something about item {n}.\n\n");
        let text: String = (0..400).map(paragraph).collect();
        let before = cut(&text, Format::Markdown);
        assert_eq!(piece_texts(&text, &before).concat(), text);
        assert!(
            (text.len() / 4096..text.len() / 1024).contains(&before.pieces.len()),
            "{} pieces of {} bytes",
            before.pieces.len(),
            text.len()
        );
        assert!(
            before
                .pieces
                .iter()
                .all(|range| range.len() <= MAX_PIECE_BYTES + 64)
        );
        // A paragraph inserted in the fifth piece: the pieces before and after it are the
        // same text as before.
        let at = before.pieces[4].start;
        let edited = format!("{}An inserted paragraph.\n\n{}", &text[..at], &text[at..]);
        let after = cut(&edited, Format::Markdown);
        let (old, new) = (piece_texts(&text, &before), piece_texts(&edited, &after));
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
    fn a_block_of_a_piece_size_or_more_always_ends_its_piece() {
        let long = "word ".repeat(PIECE_BYTES as usize / 5 + 1);
        let text = format!("{long}\n\n{long}\n\nshort\n");
        let cut = cut(&text, Format::PlainText);
        let long_block = format!("{long}\n\n");
        assert_eq!(
            piece_texts(&text, &cut),
            [long_block.as_str(), &long_block, "short\n"]
        );
    }

    #[test]
    fn lines_end_at_carriage_returns_too() {
        for newline in ["\r\n", "\r"] {
            let text = "# Title\n\nOne.\n\nTwo.\n".replace('\n', newline);
            let blocks = block_texts(&text, Format::Markdown);
            let expected = ["# Title\n\n", "One.\n\n", "Two.\n"].map(|b| b.replace('\n', newline));
            assert_eq!(blocks, expected);
            let prose = &text[text.find("One").unwrap()..];
            assert_eq!(block_texts(prose, Format::PlainText), expected[1..]);
        }
    }

    #[test]
    fn deeply_nested_markdown_is_one_block() {
        let text = format!("{}deep\n\nnext", "> ".repeat(MAX_NESTING + 1));
        assert_eq!(split(&text, Format::Markdown).0, vec![(0..text.len())]);
    }
}
