//! Rendering: the HTML a note becomes, and proof that no known XSS vector survives it.

use groundwork_notes::markdown::render_safe;
use reqwest::Method;
use serde_json::json;

use crate::support::{app, create, id_of};

#[tokio::test]
async fn a_note_renders_with_gfm_extensions_anchors_and_safe_links() {
    let app = app().await;
    let user = app.register_user().await;
    let markdown = "# Plan\n\n| a | b |\n|:-:|---|\n| 1 | ~~2~~ |\n\n- [x] done\n- [ ] open\n\n\
                    see www.example.com and [docs](https://example.com/docs)[^1]\n\n[^1]: A note.\n";
    let id = id_of(&create(&app, &user, markdown).await);
    let response = app
        .get_authed(&format!("/notes/{id}/html"), &user.access_token)
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        response
            .header("content-security-policy")
            .is_some_and(|csp| csp.contains("default-src 'none'"))
    );
    let html = response.text();
    for expected in [
        r##"<h1 id="plan">Plan<a href="#plan""##,
        r#"<th align="center">a</th>"#,
        "<del>2</del>",
        r#"<input type="checkbox" checked="" disabled="">"#,
        r#"<a href="http://www.example.com" rel="noopener noreferrer">www.example.com</a>"#,
        r#"<a href="https://example.com/docs" rel="noopener noreferrer">docs</a>"#,
        r#"<section class="footnotes" data-footnotes="">"#,
    ] {
        assert!(html.contains(expected), "missing {expected} in\n{html}");
    }
    assert!(!html.contains("<html"), "a fragment unless standalone");

    let page = app
        .get_authed(
            &format!("/notes/{id}/html?standalone=true"),
            &user.access_token,
        )
        .await
        .text();
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("<title>Plan</title>"));
    assert!(page.contains(r#"<th align="center">a</th>"#));
}

#[tokio::test]
async fn render_turns_markdown_into_html_without_saving_it() {
    let app = app().await;
    let user = app.register_user().await;
    let response = app
        .json_authed(
            Method::POST,
            "/notes/render",
            &user.access_token,
            &json!({ "markdown": "**bold** <script>alert(1)</script>" }),
        )
        .await;
    assert_eq!(response.status, 200);
    // The tag filter turns raw `<script>` into text, shown and harmless.
    assert_eq!(
        response.json()["html"],
        "<p><strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    );
    let list = app.get_authed("/notes", &user.access_token).await.json();
    assert_eq!(list["total"], 0);
    let anonymous = app.post("/notes/render", &json!({ "markdown": "x" })).await;
    anonymous.assert_problem(401, "missing_token");
}

/// Known XSS vectors: classic HTML ones (OWASP's filter-evasion list), markdown-specific
/// ones (links, images, autolinks, references), and mutation-XSS shapes that rely on a
/// sanitiser parsing differently from the browser.
const XSS_VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=\"x:gif\" onerror=\"alert(1)\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<style>@import 'https://xss.example/x.css';</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"width: expression(alert(1))\">x</p>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=x onmouseover=alert(1)>x</a>",
    "<details open ontoggle=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<input type=\"image\" src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<body onload=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<template><script>alert(1)</script></template>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javas&#99;ript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x\" onerror=\"alert(1)](https://example.com/a.png)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[x](https://example.com \"title\\\" onmouseover=alert(1)\")",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "# <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "- [ ] <svg onload=alert(1)>",
    "[^1]\n\n[^1]: <script>alert(1)</script>",
];

/// Every tag of an HTML string (the text between `<` and `>`), lowercased.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag.to_lowercase()))
        .collect()
}

/// The attributes of a tag (`a href="x" b`), names and unquoted values.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = tag.trim_end_matches('/').chars().peekable();
    // The element name.
    while chars.next_if(|c| !c.is_whitespace()).is_some() {}
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            return out;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(quote) => {
                    value = std::iter::from_fn(|| chars.next_if(|c| *c != quote)).collect()
                }
                None => {
                    value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect()
                }
            }
            chars.next();
        }
        out.push((name, value));
    }
}

fn assert_safe(vector: &str, html: &str) {
    const FORBIDDEN_ELEMENTS: &[&str] = &[
        "script", "iframe", "object", "embed", "svg", "math", "style", "form", "meta", "link",
        "base", "button", "textarea", "noscript", "body", "marquee", "video", "source", "template",
        "title", "xmp",
    ];
    for tag in tags(html) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&name.as_str()),
            "<{tag}> survived {vector:?}: {html}"
        );
        for (attribute, value) in attributes(&tag) {
            assert!(
                !attribute.starts_with("on")
                    && !["style", "srcdoc", "formaction", "action"].contains(&attribute.as_str()),
                "{attribute}= survived {vector:?}: {html}"
            );
            let url: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            if ["href", "src", "cite", "background", "poster", "data"].contains(&attribute.as_str())
            {
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(
                        !url.starts_with(scheme),
                        "{scheme} survived {vector:?}: {html}"
                    );
                }
            }
        }
    }
}

#[test]
fn no_known_xss_vector_survives_rendering() {
    for vector in XSS_VECTORS {
        let html = render_safe(vector).unwrap();
        assert_safe(vector, &html);
        // And inside other markup, where a parser's context differs.
        for wrapped in [
            format!("> {vector}"),
            format!("- {vector}"),
            format!("**{vector}**"),
        ] {
            assert_safe(&wrapped, &render_safe(&wrapped).unwrap());
        }
    }
}

#[test]
fn the_xss_check_itself_catches_unsafe_html() {
    let caught = |html: &str| std::panic::catch_unwind(|| assert_safe("probe", html)).is_err();
    assert!(caught("<p><script>x</script></p>"));
    assert!(caught(r#"<img src="x" onerror="alert(1)">"#));
    assert!(caught(r#"<a href="javascript:alert(1)">x</a>"#));
    assert!(caught(
        r#"<a title="x" href=" JavaScript:alert(1)">x</a>"#.to_lowercase().as_str()
    ));
    assert!(caught(r#"<p style="color:red">x</p>"#));
    assert!(!caught(
        r#"<img src="https://x/a.png" alt="x&quot; onerror=&quot;alert(1)">"#
    ));
    assert!(!caught(
        r#"<p>&lt;script&gt; <a href="https://x" rel="noopener noreferrer">x</a></p>"#
    ));
}

#[tokio::test]
async fn a_stored_note_full_of_vectors_renders_safely_over_http() {
    let app = app().await;
    let user = app.register_user().await;
    let note = create(&app, &user, &XSS_VECTORS.join("\n\n")).await;
    for query in ["", "?standalone=true"] {
        let html = app
            .get_authed(
                &format!("/notes/{}/html{query}", id_of(&note)),
                &user.access_token,
            )
            .await
            .text();
        let body = html
            .split_once("<article>")
            .map_or(html.as_str(), |(_, b)| b);
        let body = body.split_once("</article>").map_or(body, |(b, _)| b);
        assert_safe("the whole note", body);
    }
}
