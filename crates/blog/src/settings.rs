//! The `[blog]` configuration section (`GROUNDWORK__BLOG__*`).

use serde::Deserialize;

/// Blog settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct BlogSettings {
    /// Require a token for writes on the roadmap face (`/blog/posts`). Off by default, as
    /// its public spec has no authentication; turn it on for the open internet.
    pub posts_require_auth: bool,
    /// Username of the account that owns posts created anonymously on the roadmap face.
    /// The account is created on first use and cannot sign in (its password is random).
    pub default_author: String,
    /// Only accounts with the `author` role (or admins) may write articles. Off by
    /// default, because RealWorld clients let every registered user write.
    pub authors_only: bool,
    /// Lifetime of the tokens the RealWorld face issues. That protocol has no refresh
    /// tokens, so they live longer than the platform's 15-minute access tokens.
    pub conduit_token_ttl_secs: u64,
    /// Writes (articles, comments, favorites, follows) one user or address may make per
    /// minute, on top of the platform's request limits.
    pub writes_per_minute: u32,
}

impl Default for BlogSettings {
    fn default() -> Self {
        Self {
            posts_require_auth: false,
            default_author: "editor".into(),
            authors_only: false,
            conduit_token_ttl_secs: 7 * 24 * 3600,
            writes_per_minute: 60,
        }
    }
}
