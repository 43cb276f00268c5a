//! Markdown to HTML: CommonMark with the GitHub extensions (comrak), then sanitised
//! (ammonia) so that a note can never carry script into the page that shows it.
//!
//! Rendering and sanitising are separate steps on purpose: the conformance suites
//! (CommonMark, GFM) test the renderer with raw HTML passed through, as the specs define
//! it, and the XSS suite tests what users actually get, [`render_safe`].

mod analysis;
mod page;
mod sanitize;

use comrak::{Arena, Options, format_html, parse_document};

pub use analysis::{Analysis, MAX_NESTING, analyze, gfm_parse_options, nesting_depth};
pub use page::standalone_page;
pub use sanitize::sanitize;

/// Which markdown dialect to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Plain CommonMark 0.31.2: no extensions.
    CommonMark,
    /// GitHub Flavored Markdown: tables, task lists, strikethrough, extended autolinks,
    /// footnotes, and the tag filter, as in the GFM spec.
    Gfm,
    /// What notes use: GFM plus heading anchors.
    Notes,
}

/// Why a text cannot be rendered.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MarkdownError {
    /// Lists or block quotes nested deeper than [`MAX_NESTING`].
    #[error("lists and quotes may nest at most {MAX_NESTING} levels deep; this text nests {0}")]
    TooDeep(usize),
    /// Elements (emphasis, links, raw HTML) nested deeper than the sanitiser accepts.
    #[error("the rendered note nests elements {0} levels deep; at most 512 are allowed")]
    TooDeepHtml(usize),
}

fn options(dialect: Dialect) -> Options<'static> {
    let mut options = Options::default();
    // Raw HTML passes through the renderer as the specs say; `sanitize` cleans it after.
    options.render.r#unsafe = true;
    if dialect != Dialect::CommonMark {
        let extension = &mut options.extension;
        extension.strikethrough = true;
        extension.table = true;
        extension.autolink = true;
        extension.tasklist = true;
        extension.footnotes = true;
    }
    if dialect == Dialect::Notes {
        // GitHub's slugs (`## Getting started` gets `id="getting-started"`, repeats get
        // `-1`, `-2`), with a link to itself in each heading.
        options.extension.header_id_prefix = Some(String::new());
    }
    options
}

/// Renders markdown to HTML as the dialect's spec says, raw HTML included: not safe to
/// show as is (see [`render_safe`]).
pub fn render_unsanitized(markdown: &str, dialect: Dialect) -> String {
    let options = options(dialect);
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    // Writing into a String cannot fail.
    let _ = format_html(root, &options, &mut html);
    if dialect == Dialect::CommonMark {
        html
    } else {
        filter_tags(&html)
    }
}

/// Renders a note's markdown to sanitised HTML; refuses pathological nesting.
pub fn render_safe(markdown: &str) -> Result<String, MarkdownError> {
    check_nesting(markdown)?;
    let html = render_unsanitized(markdown, Dialect::Notes);
    let depth = analysis::html_depth(&html);
    if depth > analysis::MAX_HTML_DEPTH {
        return Err(MarkdownError::TooDeepHtml(depth));
    }
    Ok(sanitize(&html))
}

/// Refuses markdown whose quotes and lists nest deeper than [`MAX_NESTING`], before it is
/// parsed (see there why).
pub fn check_nesting(markdown: &str) -> Result<(), MarkdownError> {
    match analysis::nesting_depth(markdown) {
        depth if depth > MAX_NESTING => Err(MarkdownError::TooDeep(depth)),
        _ => Ok(()),
    }
}

/// Tags the GFM "disallowed raw HTML" extension neutralises: their contents would be
/// parsed as raw text by a browser and swallow the rest of the page.
const FILTERED_TAGS: [&str; 9] = [
    "title",
    "textarea",
    "style",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "script",
    "plaintext",
];

/// The GFM tag filter: `<script>` becomes `&lt;script>`. Applied to the whole output,
/// which is exact: the renderer escapes every `<` of text, so a literal `<name` in its
/// output is always a tag that came from raw HTML.
fn filter_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let name_start = after.strip_prefix('/').unwrap_or(after);
        let filtered = FILTERED_TAGS.iter().any(|tag| {
            name_start.len() >= tag.len()
                && name_start.as_bytes()[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
                && name_start[tag.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_ascii_whitespace() || c == '>' || c == '/')
        });
        out.push_str(if filtered { "&lt;" } else { "<" });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_filter_neutralises_raw_text_tags_only() {
        assert_eq!(
            filter_tags("<strong> <title> <style> <em></script><scripts><xmp x>"),
            "<strong> &lt;title> &lt;style> <em>&lt;/script><scripts>&lt;xmp x>"
        );
    }

    #[test]
    fn headings_get_github_style_anchors() {
        let html = render_unsanitized("# Getting started\n\n## Getting started\n", Dialect::Notes);
        assert!(html.contains(r#"id="getting-started""#), "{html}");
        assert!(html.contains(r#"id="getting-started-1""#), "{html}");
    }

    #[test]
    fn commonmark_mode_has_no_extensions() {
        let html = render_unsanitized("~~a~~ www.example.com\n", Dialect::CommonMark);
        assert_eq!(html, "<p>~~a~~ www.example.com</p>\n");
        let html = render_unsanitized("~~a~~ www.example.com\n", Dialect::Gfm);
        assert_eq!(
            html,
            "<p><del>a</del> <a href=\"http://www.example.com\">www.example.com</a></p>\n"
        );
    }

    #[test]
    fn pathological_nesting_is_refused() {
        let quotes = ">".repeat(10_000);
        assert_eq!(render_safe(&quotes), Err(MarkdownError::TooDeep(10_000)));
        let fine = ">".repeat(MAX_NESTING);
        assert!(render_safe(&fine).is_ok());
    }
}
