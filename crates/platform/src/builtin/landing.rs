//! `GET /`: a plain HTML page listing every mounted system, its path, its section of the
//! API reference and its OpenAPI document. No JavaScript.

use axum::response::Html;

use crate::http::html::escape;

/// One line of the landing page.
pub struct Entry {
    /// System name.
    pub name: String,
    /// Mount path.
    pub path: String,
    /// One sentence.
    pub description: String,
}

/// Renders the page once at startup.
pub fn render(entries: &[Entry]) -> String {
    let mut rows = String::new();
    for entry in entries {
        let name = escape(&entry.name);
        rows.push_str(&format!(
            "<tr><td><strong>{name}</strong></td><td><code>{path}</code></td><td>{description}</td>\
             <td><a href=\"/docs#tag/{name}\">reference</a> · <a href=\"/openapi/{name}.json\">OpenAPI</a></td></tr>\n",
            path = escape(&entry.path),
            description = escape(&entry.description),
        ));
    }
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Groundwork</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
code {{ background: #f4f4f4; padding: 0 .25rem; }}
</style>
</head>
<body>
<h1>Groundwork</h1>
<p>Version {version}. The whole API: <a href="/docs">reference</a> · <a href="/openapi.json">OpenAPI document</a> ·
<a href="/hello"><code>/hello</code></a> · <a href="/healthz"><code>/healthz</code></a> · <a href="/readyz"><code>/readyz</code></a> · <a href="/metrics"><code>/metrics</code></a></p>
<table>
<thead><tr><th>System</th><th>Path</th><th>What it does</th><th>Docs</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// The handler, serving the page rendered at startup.
pub async fn landing(
    axum::extract::State(page): axum::extract::State<std::sync::Arc<str>>,
) -> Html<String> {
    Html(page.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_each_system_and_escapes_text() {
        let html = render(&[Entry {
            name: "auth".into(),
            path: "/auth".into(),
            description: "a <b> & c".into(),
        }]);
        assert!(html.contains("<code>/auth</code>"));
        assert!(html.contains("/openapi/auth.json"));
        assert!(html.contains("a &lt;b&gt; &amp; c"));
        assert!(!html.contains("<script"));
    }
}
