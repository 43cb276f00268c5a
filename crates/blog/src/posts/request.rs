//! Request shapes of the roadmap face and their checks.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use groundwork_platform::{ApiError, FieldError};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::domain::{self, MAX_BODY, MAX_CATEGORY, MAX_TITLE};
use crate::model::{ArticleChanges, ArticleFilter, NewArticle, Window};

/// A post to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostRequest {
    /// Title (1 to 255 characters).
    title: String,
    /// Text (1 to 100 000 characters).
    content: String,
    /// Category (1 to 100 characters).
    category: String,
    /// Tags (up to 20, each 1 to 64 characters).
    #[serde(default)]
    tags: Vec<String>,
    /// `false` keeps the post as a draft, visible to its author only (default `true`).
    #[serde(default)]
    published: Option<bool>,
}

struct Checked {
    title: String,
    content: String,
    category: String,
    tags: Vec<String>,
}

impl PostRequest {
    fn check(&self) -> Result<Checked, ApiError> {
        let title = domain::text("title", &self.title, MAX_TITLE, false);
        let content = domain::text("content", &self.content, MAX_BODY, true);
        let category = domain::text("category", &self.category, MAX_CATEGORY, false);
        let tags = domain::tags("tags", &self.tags);
        match (title, content, category, tags) {
            (Ok(title), Ok(content), Ok(category), Ok(tags)) => Ok(Checked {
                title,
                content,
                category,
                tags,
            }),
            (title, content, category, tags) => Err(ApiError::validation(
                [title.err(), content.err(), category.err(), tags.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }

    /// The article to create.
    pub fn into_new(self) -> Result<NewArticle, ApiError> {
        let checked = self.check()?;
        Ok(NewArticle {
            title: checked.title,
            description: String::new(),
            body: checked.content,
            category: Some(checked.category),
            tags: checked.tags,
            publish: self.published.unwrap_or(true),
        })
    }

    /// A full replacement (PUT): every field is set; `published` only when given.
    pub fn into_changes(self) -> Result<ArticleChanges, ApiError> {
        let checked = self.check()?;
        Ok(ArticleChanges {
            title: Some(checked.title),
            description: None,
            body: Some(checked.content),
            category: Some(Some(checked.category)),
            tags: Some(checked.tags),
            publish: self.published,
        })
    }
}

/// Most posts the bare list returns without `page`/`limit` (the total is always in
/// `X-Total-Count`).
pub const DEFAULT_LIST_LIMIT: u64 = 1_000;

/// Filters and paging of `GET /posts`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostQuery {
    /// Case-insensitive substring of the title, content or category (`tech` finds `Technology`).
    term: Option<String>,
    /// Full-text search over title and content (stemmed: `running` finds `run`).
    q: Option<String>,
    /// Exact tag.
    tag: Option<String>,
    /// Category, any case.
    category: Option<String>,
    /// Published on or after (RFC 3339 time, or a date `YYYY-MM-DD`).
    from: Option<String>,
    /// Published on or before (RFC 3339 time, or a date `YYYY-MM-DD`, which includes the whole day).
    to: Option<String>,
    /// 1-based page (with `limit`, default 20).
    page: Option<u64>,
    /// Posts per page, 1 to 100.
    limit: Option<u64>,
}

impl PostQuery {
    /// The checked filter and window.
    pub fn parse(self) -> Result<(ArticleFilter, Window), ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let from = parse_bound("from", self.from.as_deref(), false).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let to = parse_bound("to", self.to.as_deref(), true).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let window = match (self.page, self.limit) {
            (None, None) => Window {
                offset: 0,
                limit: DEFAULT_LIST_LIMIT,
            },
            (page, limit) => {
                let page = page.unwrap_or(1);
                let limit = limit.unwrap_or(20);
                if page == 0 || page > u64::from(u32::MAX) {
                    errors.push(FieldError::new("page", "out_of_range", "pages start at 1"));
                }
                if !(1..=100).contains(&limit) {
                    errors.push(FieldError::new(
                        "limit",
                        "out_of_range",
                        "limit must be between 1 and 100",
                    ));
                }
                Window {
                    offset: page.saturating_sub(1).saturating_mul(limit),
                    limit,
                }
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let present = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let filter = ArticleFilter {
            term: present(self.term),
            query: present(self.q),
            tag: present(self.tag),
            category: present(self.category),
            from,
            to,
            ..ArticleFilter::default()
        };
        Ok((filter, window))
    }
}

/// A time bound: a full RFC 3339 timestamp, or a date meaning the start (or, for `to`,
/// the end) of that day in UTC.
fn parse_bound(
    field: &str,
    raw: Option<&str>,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if let Ok(time) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(time.with_timezone(&Utc)));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            "invalid",
            "expected a date (2024-01-31) or an RFC 3339 time",
        )
    })?;
    let time = if end_of_day {
        NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999)
    } else {
        Some(NaiveTime::MIN)
    };
    Ok(time.map(|t| date.and_time(t).and_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_bounds_cover_whole_days() {
        let from = parse_bound("from", Some("2024-01-31"), false)
            .unwrap()
            .unwrap();
        let to = parse_bound("to", Some("2024-01-31"), true)
            .unwrap()
            .unwrap();
        assert_eq!(from.to_rfc3339(), "2024-01-31T00:00:00+00:00");
        assert!(to > from && to.date_naive() == from.date_naive());
        assert!(parse_bound("from", Some("yesterday"), false).is_err());
        assert!(
            parse_bound("from", Some("2024-01-31T10:00:00+02:00"), false)
                .unwrap()
                .is_some()
        );
    }
}
