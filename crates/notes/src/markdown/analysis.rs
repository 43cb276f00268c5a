//! What saving a note needs from its markdown: the first heading (a default title), the
//! plain text (for search and the word count), and a cheap bound on nesting.

use comrak::nodes::NodeValue;
use comrak::{Arena, Options, parse_document};

/// Deepest nesting of block quotes and list markers a note may have. Real documents
/// nest a handful of levels; the bound keeps parsing linear (an open container is
/// revisited by every later line) and the HTML tree shallow.
pub const MAX_NESTING: usize = 64;

/// Deepest element nesting in rendered HTML that is passed to the sanitiser (emphasis,
/// links and raw HTML nest too, not only quotes and lists).
pub(super) const MAX_HTML_DEPTH: usize = 512;

/// The parts of a note that are derived from its markdown.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// The text of the first heading, if there is one.
    pub first_heading: Option<String>,
    /// The readable text, one block per line: what search indexes.
    pub plain_text: String,
    /// Words in the readable text.
    pub word_count: u64,
}

/// How notes are parsed when they are read rather than rendered: GitHub's block and
/// inline extensions (tables, strikethrough, task lists, footnotes).
pub fn gfm_parse_options() -> Options<'static> {
    let mut gfm = Options::default();
    gfm.extension.table = true;
    gfm.extension.strikethrough = true;
    gfm.extension.tasklist = true;
    gfm.extension.footnotes = true;
    gfm
}

/// Analyses a note; callers bound nesting first with [`nesting_depth`].
pub fn analyze(markdown: &str) -> Analysis {
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &gfm_parse_options());
    let mut analysis = Analysis::default();
    for node in root.descendants() {
        let ast = node.data.borrow();
        match &ast.value {
            NodeValue::Heading(_) if analysis.first_heading.is_none() => {
                let text = inline_text(node);
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    analysis.first_heading = Some(text);
                }
                analysis.plain_text.push('\n');
            }
            NodeValue::Text(text) => analysis.plain_text.push_str(text),
            NodeValue::Code(code) => analysis.plain_text.push_str(&code.literal),
            NodeValue::CodeBlock(block) => {
                analysis.plain_text.push('\n');
                analysis.plain_text.push_str(&block.literal);
            }
            // Line breaks stay line breaks: a note's first line is a title candidate.
            NodeValue::SoftBreak | NodeValue::LineBreak => analysis.plain_text.push('\n'),
            NodeValue::Paragraph | NodeValue::Heading(_) | NodeValue::TableCell => {
                analysis.plain_text.push('\n');
            }
            _ => {}
        }
    }
    analysis.word_count = analysis
        .plain_text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count() as u64;
    analysis
}

fn inline_text<'a>(node: &'a comrak::nodes::AstNode<'a>) -> String {
    let mut text = String::new();
    for child in node.descendants() {
        match &child.data.borrow().value {
            NodeValue::Text(t) => text.push_str(t),
            NodeValue::Code(code) => text.push_str(&code.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// The most block-quote and list markers that open any one line (`> > - > x` is 4): an
/// upper bound on container nesting, computed without parsing. Lines end where CommonMark
/// ends them, a lone `\r` included.
pub fn nesting_depth(markdown: &str) -> usize {
    markdown
        .split(['\n', '\r'])
        .map(line_depth)
        .max()
        .unwrap_or(0)
}

fn line_depth(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut depth = 0;
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let Some(&byte) = bytes.get(i) else {
            return depth;
        };
        let marker_end = match byte {
            b'>' => i + 1,
            b'-' | b'+' | b'*' if bytes.get(i + 1).is_some_and(|b| *b == b' ' || *b == b'\t') => {
                i + 1
            }
            b'0'..=b'9' => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                match bytes.get(i + digits) {
                    Some(b'.' | b')') if digits <= 9 => i + digits + 1,
                    _ => return depth,
                }
            }
            _ => return depth,
        };
        depth += 1;
        i = marker_end;
    }
}

/// The deepest element nesting of (well-formed, renderer-made) HTML, counting open tags
/// against close tags; void elements do not nest.
pub(super) fn html_depth(html: &str) -> usize {
    const VOID: [&str; 8] = ["br", "hr", "img", "input", "meta", "link", "wbr", "col"];
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            rest = after;
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || VOID.contains(&name.as_str()) {
            continue;
        }
        let self_closing = rest.find('>').is_some_and(|end| rest[..end].ends_with('/'));
        if !self_closing {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_heading_and_the_words_are_found() {
        let analysis =
            analyze("Intro line\n\n## The *real* `title`\n\nTwo words.\n\n```\ncode here\n```\n");
        assert_eq!(analysis.first_heading.as_deref(), Some("The real title"));
        assert_eq!(analysis.word_count, 9);
        assert!(analysis.plain_text.contains("code here"));
    }

    #[test]
    fn nesting_counts_quote_and_list_markers() {
        assert_eq!(nesting_depth("plain\n> a\n> > - > b\n"), 4);
        assert_eq!(nesting_depth("1. a\n   2) b\n-not a list\n"), 1);
        assert_eq!(nesting_depth("*emphasis*\n"), 0);
        assert_eq!(
            nesting_depth("x\r> > - b\r"),
            3,
            "a lone carriage return ends a line"
        );
    }

    #[test]
    fn html_depth_counts_open_elements() {
        assert_eq!(html_depth("<p><em>a<br>b</em></p><hr /><p>c</p>"), 2);
        assert_eq!(
            html_depth("<blockquote><blockquote><p>x</p></blockquote></blockquote>"),
            3
        );
    }
}
