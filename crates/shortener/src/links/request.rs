//! Request bodies, and their conversion into checked values.

use chrono::{DateTime, Utc};
use groundwork_platform::http::extract::nullable;
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::code;
use crate::error::spec_status;
use crate::target::{self, TargetPolicy};

/// `POST /shorten`. Only `url` is in the roadmap spec; the rest is Bitly-lite.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateLinkRequest {
    /// The long URL (http or https, at most 2 048 characters).
    pub url: Option<String>,
    /// A custom code instead of a random one: 3 to 64 of `A-Z a-z 0-9 - _`.
    pub alias: Option<String>,
    /// 302 (default), 301, 307 or 308.
    pub redirect_type: Option<u16>,
    /// After this instant the link stops redirecting (410).
    pub expires_at: Option<DateTime<Utc>>,
    /// After this many clicks the link stops redirecting (410).
    pub max_clicks: Option<i64>,
    /// `false` creates it disabled.
    pub enabled: Option<bool>,
}

/// `PUT` (with `url`, as the spec has it) and `PATCH` (any fields) of a link. `null`
/// clears `expiresAt` or `maxClicks`; an absent field stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateLinkRequest {
    /// The new long URL.
    pub url: Option<String>,
    /// 301, 302, 307 or 308.
    pub redirect_type: Option<u16>,
    /// New expiry, or `null` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// New click cap, or `null` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub max_clicks: Option<Option<i64>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

/// A checked new link.
#[derive(Debug)]
pub struct NewLink {
    /// Normalised target.
    pub url: String,
    /// The custom alias, if any.
    pub alias: Option<String>,
    /// Redirect status.
    pub status: i16,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Click cap.
    pub max_clicks: Option<i64>,
    /// Enabled.
    pub enabled: bool,
}

/// Checked changes to a link (`None`: leave as is).
#[derive(Debug, Default)]
pub struct LinkChanges {
    /// New target.
    pub url: Option<String>,
    /// New status.
    pub status: Option<i16>,
    /// New expiry (inner `None` clears it).
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// New cap (inner `None` clears it).
    pub max_clicks: Option<Option<i64>>,
    /// New enabled flag.
    pub enabled: Option<bool>,
}

fn redirect_status(raw: u16) -> Result<i16, FieldError> {
    match raw {
        301 | 302 | 307 | 308 => Ok(raw as i16),
        _ => Err(FieldError::new(
            "redirectType",
            "invalid",
            "redirectType is 301, 302, 307 or 308",
        )),
    }
}

fn expiry(at: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    if at <= Utc::now() {
        return Err(FieldError::new(
            "expiresAt",
            "in_past",
            "expiresAt must be in the future",
        ));
    }
    Ok(at)
}

fn click_cap(cap: i64) -> Result<i64, FieldError> {
    if cap < 1 {
        return Err(FieldError::new(
            "maxClicks",
            "out_of_range",
            "maxClicks is at least 1",
        ));
    }
    Ok(cap)
}

fn finish<T>(errors: FieldErrors, value: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
    errors.finish(value).map_err(spec_status)
}

impl CreateLinkRequest {
    /// Checks every field, reporting all problems at once (400).
    pub fn check(
        self,
        policy: &TargetPolicy,
        request_host: Option<&str>,
    ) -> Result<NewLink, ApiError> {
        let mut errors = FieldErrors::new();
        let url = match self.url.as_deref() {
            Some(raw) => errors.take(target::parse(raw, policy, request_host)),
            None => {
                errors.push(FieldError::new("url", "required", "a URL is required"));
                None
            }
        };
        let alias = match self.alias.as_deref() {
            Some(raw) => errors.take(code::parse_alias(raw)).map(Some),
            None => Some(None),
        };
        let status = errors.take(redirect_status(self.redirect_type.unwrap_or(302)));
        let expires_at = match self.expires_at {
            Some(at) => errors.take(expiry(at)).map(Some),
            None => Some(None),
        };
        let max_clicks = match self.max_clicks {
            Some(cap) => errors.take(click_cap(cap)).map(Some),
            None => Some(None),
        };
        finish(errors, || {
            Some(NewLink {
                url: url?,
                alias: alias?,
                status: status?,
                expires_at: expires_at?,
                max_clicks: max_clicks?,
                enabled: self.enabled.unwrap_or(true),
            })
        })
    }
}

impl UpdateLinkRequest {
    /// Checks the fields present; `require_url` for `PUT` (the spec's body is `{url}`).
    pub fn check(
        self,
        policy: &TargetPolicy,
        request_host: Option<&str>,
        require_url: bool,
    ) -> Result<LinkChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let url = match self.url.as_deref() {
            Some(raw) => errors
                .take(target::parse(raw, policy, request_host))
                .map(Some),
            None if require_url => {
                errors.push(FieldError::new("url", "required", "a URL is required"));
                None
            }
            None => Some(None),
        };
        let status = match self.redirect_type {
            Some(raw) => errors.take(redirect_status(raw)).map(Some),
            None => Some(None),
        };
        let expires_at = match self.expires_at {
            Some(Some(at)) => errors.take(expiry(at)).map(|at| Some(Some(at))),
            other => Some(other),
        };
        let max_clicks = match self.max_clicks {
            Some(Some(cap)) => errors.take(click_cap(cap)).map(|cap| Some(Some(cap))),
            other => Some(other),
        };
        finish(errors, || {
            Some(LinkChanges {
                url: url?,
                status: status?,
                expires_at: expires_at?,
                max_clicks: max_clicks?,
                enabled: self.enabled,
            })
        })
    }
}
