//! The sanitiser: an allow-list of tags, attributes and URL schemes (ammonia, which
//! parses with a real HTML5 parser, so mis-nested or malformed markup cannot smuggle
//! anything past it). What survives: the markup the renderer produces (headings with
//! anchors, tables, task lists, footnotes, code) and ordinary formatting HTML. What never
//! does: `<script>`, `<style>`, `<iframe>`, forms, event handlers (`on*`), `style`
//! attributes, and URLs with schemes other than the listed ones (`javascript:`,
//! `data:`, `vbscript:` are gone). Every link gets `rel="noopener noreferrer"`.

use std::borrow::Cow;
use std::sync::LazyLock;

use ammonia::Builder;

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .add_tags(["input", "section", "sup", "sub"])
        .add_tag_attributes(
            "a",
            [
                "id",
                "aria-label",
                "data-footnote-ref",
                "data-footnote-backref",
                "data-footnote-backref-idx",
                "data-heading-content",
            ],
        )
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("section", ["data-footnotes"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_allowed_classes("a", ["anchor", "footnote-backref"])
        .add_allowed_classes("sup", ["footnote-ref"])
        .add_allowed_classes("section", ["footnotes"])
        .url_schemes(["http", "https", "mailto", "tel", "ftp"].into())
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Only the task-list checkbox: no text fields, buttons or file pickers.
            ("input", "type") => (value == "checkbox").then_some(Cow::Borrowed(value)),
            // Table alignment from the renderer; nothing else reaches the style engine.
            (_, "align") => {
                matches!(value, "left" | "center" | "right").then_some(Cow::Borrowed(value))
            }
            _ => Some(Cow::Borrowed(value)),
        });
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, ["id"]);
    }
    builder
});

/// Removes everything unsafe from rendered HTML.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let clean = sanitize(
            r#"<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a><img src=x onerror=alert(1)></p>"#,
        );
        assert_eq!(
            clean,
            r#"<p>a<a rel="noopener noreferrer">b</a><img src="x"></p>"#
        );
    }

    #[test]
    fn renderer_markup_survives() {
        let html = r##"<h2 id="a-b">A b<a href="#a-b" aria-label="Link to heading 'A b'" data-heading-content="A b" class="anchor"></a></h2><ul><li><input type="checkbox" checked="" disabled="" /> done</li></ul><table><tr><th align="center">x</th></tr></table>"##;
        let clean = sanitize(html);
        assert!(clean.contains(r#"<h2 id="a-b">"#), "{clean}");
        assert!(clean.contains(r#"class="anchor""#), "{clean}");
        assert!(
            clean.contains(r#"<input type="checkbox" checked="" disabled="">"#),
            "{clean}"
        );
        assert!(clean.contains(r#"<th align="center">"#), "{clean}");
        assert!(!sanitize(r#"<input type="text">"#).contains("text"));
    }
}
