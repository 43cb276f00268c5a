//! The HTML side: a form at the mount root to shorten a link from a browser (no
//! JavaScript: a plain form POST), and the pages a visitor of a dead link sees.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::html::escape;
use serde::Deserialize;

use crate::links::{CreateLinkRequest, Site, create_link_from, creation_error_message};
use crate::service::Shortener;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}\
input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0 1rem}\
button{font-size:1rem;padding:.5rem 1.5rem}.error{color:#a00}.result{font-size:1.25rem;word-break:break-all}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        title = escape(title)
    )
}

fn form(url: &str, alias: &str, message: Option<&str>) -> String {
    let message = message.map_or(String::new(), |m| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(m))
    });
    format!(
        "<h1>Shorten a link</h1>{message}<form method=\"post\">\
         <label for=\"url\">Long URL</label>\
         <input id=\"url\" name=\"url\" type=\"url\" required maxlength=\"2048\" value=\"{url}\" placeholder=\"https://www.example.com/some/long/url\">\
         <label for=\"alias\">Custom alias (optional)</label>\
         <input id=\"alias\" name=\"alias\" maxlength=\"64\" pattern=\"[A-Za-z0-9][A-Za-z0-9_\\-]{{2,63}}\" value=\"{alias}\">\
         <button type=\"submit\">Shorten</button></form>",
        url = escape(url),
        alias = escape(alias),
    )
}

/// The form.
#[utoipa::path(
    get,
    path = "/",
    responses((status = 200, description = "An HTML form to shorten a link", content_type = "text/html"))
)]
pub async fn home() -> Html<String> {
    Html(page("Shorten a link", &form("", "", None)))
}

/// What the form sends.
#[derive(Debug, Default, Deserialize)]
struct FormFields {
    #[serde(default)]
    url: String,
    #[serde(default)]
    alias: String,
}

/// Creates a link from the form and shows it, or shows the form again with the problem.
#[utoipa::path(
    post,
    path = "/",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "url=...&alias=..."),
    responses(
        (status = 201, description = "HTML page with the short link", content_type = "text/html"),
        (status = 400, description = "HTML form with the problem", content_type = "text/html"),
        (status = 429, description = "Too many links created", content_type = "text/html"),
    )
)]
pub async fn create_from_form(
    State(state): State<Arc<Shortener>>,
    ClientIp(ip): ClientIp,
    site: Site,
    body: Bytes,
) -> Response {
    let Ok(fields) = serde_urlencoded::from_bytes::<FormFields>(&body) else {
        let html = page(
            "Shorten a link",
            &form("", "", Some("The form could not be read.")),
        );
        return (StatusCode::BAD_REQUEST, Html(html)).into_response();
    };
    shorten_and_show(&state, fields, ip, &site).await
}

async fn shorten_and_show(
    state: &Shortener,
    fields: FormFields,
    ip: IpAddr,
    site: &Site,
) -> Response {
    let alias = fields.alias.trim();
    let request = CreateLinkRequest {
        url: Some(fields.url.clone()),
        alias: (!alias.is_empty()).then(|| alias.to_owned()),
        ..CreateLinkRequest::default()
    };
    match create_link_from(state, request, None, ip, site).await {
        Ok(row) => {
            let short = format!("{}/{}", site.base, row.code);
            let body = format!(
                "<h1>Your short link</h1><p class=\"result\"><a href=\"{short}\">{short}</a></p>\
                 <p>It redirects to <a href=\"{url}\" rel=\"noopener noreferrer\">{url}</a>.</p>\
                 <p><a href=\"{base}/\">Shorten another</a></p>",
                short = escape(&short),
                url = escape(&row.url),
                base = escape(&site.base),
            );
            (StatusCode::CREATED, Html(page("Your short link", &body))).into_response()
        }
        Err(error) => {
            let status = error.status();
            if status.is_server_error() {
                error.log();
            }
            let message = creation_error_message(&error);
            let html = page("Shorten a link", &form(&fields.url, alias, Some(&message)));
            let mut response = (status, Html(html)).into_response();
            if let Some(secs) = error.retry_after_secs() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, secs.into());
            }
            response
        }
    }
}

/// Why a known link does not redirect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dead {
    /// Turned off by its owner.
    Disabled,
    /// Past its expiry.
    Expired,
    /// Its click cap is used up.
    UsedUp,
}

/// 404 for a code nobody made; `home` is the form's address.
pub fn unknown_link(home: &str) -> Response {
    let body = format!(
        "<h1>Link not found</h1><p>There is no short link at this address. \
         Check that it was copied completely: codes are case-sensitive.</p>\
         <p><a href=\"{home}/\">Make a short link</a></p>",
        home = escape(home)
    );
    (StatusCode::NOT_FOUND, Html(page("Link not found", &body))).into_response()
}

/// 410 for a link that exists but no longer redirects.
pub fn dead_link(reason: Dead, home: &str) -> Response {
    let why = match reason {
        Dead::Disabled => "This link has been disabled by its owner.",
        Dead::Expired => "This link has expired.",
        Dead::UsedUp => "This link has reached the number of visits it allows.",
    };
    let body = format!(
        "<h1>Link no longer available</h1><p>{why}</p><p><a href=\"{home}/\">Make a short link</a></p>",
        home = escape(home)
    );
    (
        StatusCode::GONE,
        Html(page("Link no longer available", &body)),
    )
        .into_response()
}
