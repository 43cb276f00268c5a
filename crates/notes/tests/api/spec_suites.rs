//! The external conformance suites, run through the renderer: the CommonMark spec's 652
//! examples (npm package `commonmark-spec` 0.31.2, installed into `tests/spec` by
//! `.ci/run`) with extensions off, and the GFM spec's extension examples with them on.

use std::path::PathBuf;

use groundwork_notes::markdown::{Dialect, render_unsanitized};
use groundwork_platform::testing::services_required;

/// One example of a spec file.
struct Example {
    number: usize,
    section: String,
    markdown: String,
    html: String,
    extension: Option<String>,
}

const FENCE: &str = "````````````````````````````````";

/// Parses the examples of a spec in the `spec.txt` format (`→` stands for a tab).
fn examples(spec: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix('#') {
            section = heading.trim_start_matches('#').trim().to_owned();
            continue;
        }
        let Some(rest) = line
            .strip_prefix(FENCE)
            .and_then(|r| r.strip_prefix(" example"))
        else {
            continue;
        };
        let extension = Some(rest.trim())
            .filter(|e| !e.is_empty())
            .map(str::to_owned);
        let mut markdown = String::new();
        for line in lines.by_ref() {
            if line == "." {
                break;
            }
            markdown.push_str(line);
            markdown.push('\n');
        }
        let mut html = String::new();
        for line in lines.by_ref() {
            if line.starts_with(FENCE) {
                break;
            }
            html.push_str(line);
            html.push('\n');
        }
        out.push(Example {
            number: out.len() + 1,
            section: section.clone(),
            markdown: markdown.replace('→', "\t"),
            html: html.replace('→', "\t"),
            extension,
        });
    }
    out
}

fn spec_file(relative: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) => {
            assert!(
                !services_required(),
                "{} is missing ({error}); run `npm ci --prefix crates/notes/tests/spec`",
                path.display()
            );
            eprintln!(
                "skipped: {} is missing; run `npm ci --prefix crates/notes/tests/spec`",
                path.display()
            );
            None
        }
    }
}

/// What the specs' own runner (`normalize.py`) treats as equal HTML, for start tags:
/// attributes in sorted order, and `<input />` the same as `<input>`.
fn normalize_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let is_start_tag = rest[1..].starts_with(|c: char| c.is_ascii_alphabetic());
        let Some(end) = rest.find('>').filter(|_| is_start_tag) else {
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let inner = rest[1..end].trim_end().trim_end_matches('/').trim_end();
        let mut parts = split_attributes(inner);
        let name = parts.remove(0);
        parts.sort();
        out.push('<');
        out.push_str(&name);
        for attribute in parts {
            out.push(' ');
            out.push_str(&attribute);
        }
        out.push('>');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `a href="x y" b` into `["a", "href=\"x y\"", "b"]`.
fn split_attributes(tag: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quote = None;
    for c in tag.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if open == c => quote = None,
            (None, c) if c.is_whitespace() => {
                if !parts.last().is_some_and(String::is_empty) {
                    parts.push(String::new());
                }
                continue;
            }
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// Runs examples; returns how many passed exactly and how many after normalisation,
/// printing each failure.
fn run(examples: &[Example], dialect: Dialect) -> (usize, usize) {
    let (mut exact, mut passed) = (0, 0);
    for example in examples {
        let html = render_unsanitized(&example.markdown, dialect);
        exact += usize::from(html == example.html);
        if normalize_tags(&html) == normalize_tags(&example.html) {
            passed += 1;
        } else {
            eprintln!(
                "example {} ({}) failed\n--- markdown\n{}--- expected\n{}--- got\n{}",
                example.number, example.section, example.markdown, example.html, html
            );
        }
    }
    (exact, passed)
}

#[test]
fn normalisation_only_reorders_attributes_and_drops_self_closing_slashes() {
    assert_eq!(
        normalize_tags(r#"<li><input type="checkbox" checked="" disabled="" /> a < b</li>"#),
        r#"<li><input checked="" disabled="" type="checkbox"> a < b</li>"#
    );
    assert_ne!(normalize_tags("<p>a</p>"), normalize_tags("<p>b</p>"));
    assert_ne!(
        normalize_tags(r#"<a href="x">"#),
        normalize_tags(r#"<a href="y">"#)
    );
}

#[test]
fn every_commonmark_spec_example_renders_exactly() {
    let Some(spec) = spec_file("tests/spec/node_modules/commonmark-spec/spec.txt") else {
        return;
    };
    let examples = examples(&spec);
    assert_eq!(examples.len(), 652, "CommonMark 0.31.2 has 652 examples");
    let (exact, passed) = run(&examples, Dialect::CommonMark);
    eprintln!("CommonMark 0.31.2: {passed}/652 examples pass ({exact} byte for byte)");
    assert_eq!(exact, 652);
}

#[test]
fn every_gfm_extension_example_renders_exactly() {
    let Some(spec) = spec_file("tests/spec/gfm/spec.txt") else {
        return;
    };
    // The extension examples are marked on their fence; cmark-gfm marks its task-list
    // examples `disabled` (its own runner skips them), we run them too.
    let extension_examples: Vec<Example> = examples(&spec)
        .into_iter()
        .filter(|example| example.extension.is_some())
        .collect();
    let by_extension = |name: &str| {
        extension_examples
            .iter()
            .filter(|e| e.extension.as_deref() == Some(name))
            .count()
    };
    assert_eq!(
        [
            by_extension("table"),
            by_extension("disabled"),
            by_extension("strikethrough"),
            by_extension("autolink"),
            by_extension("tagfilter"),
        ],
        [8, 2, 2, 11, 1],
        "the GFM 0.29 extension examples"
    );
    let (exact, passed) = run(&extension_examples, Dialect::Gfm);
    eprintln!(
        "GFM extensions: {passed}/{} examples pass ({exact} byte for byte; the task lists \
         differ only in attribute order and `/>`)",
        extension_examples.len()
    );
    assert_eq!(passed, extension_examples.len());
}
