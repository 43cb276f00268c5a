//! `?standalone=true`: a rendered note wrapped in a small, self-contained HTML page (no
//! scripts, no external assets), readable on a phone and printable.

use groundwork_platform::http::html::escape;

const STYLE: &str = "body{max-width:46rem;margin:2rem auto;padding:0 1rem;\
font:16px/1.6 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;background:#fff}\
h1,h2,h3,h4{line-height:1.25;margin:1.5em 0 .5em}h1,h2{border-bottom:1px solid #d1d9e0;padding-bottom:.3em}\
a{color:#0969da}a.anchor{margin-left:.4em;text-decoration:none}a.anchor::before{content:'#';opacity:.3}\
pre{background:#f6f8fa;padding:1em;overflow:auto;border-radius:6px}\
code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:.1em .3em;border-radius:4px}\
pre code{padding:0;background:none}blockquote{margin:0;padding:0 1em;color:#59636e;border-left:.25em solid #d1d9e0}\
table{border-collapse:collapse}th,td{border:1px solid #d1d9e0;padding:.3em .8em}\
img{max-width:100%}li:has(>input[type=checkbox]){list-style:none}\
section.footnotes{font-size:.9em;border-top:1px solid #d1d9e0;margin-top:2em}\
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}pre,code{background:#161b22}a{color:#4493f8}}";

/// The page around already-sanitised `body_html`; `title` is escaped here.
pub fn standalone_page(title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<article>\n{body_html}</article>\n</body>\n</html>\n",
        escape(title)
    )
}
