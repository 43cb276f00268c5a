//! Request shapes and their checks.

use groundwork_platform::pagination::{Page, PageQuery};
use groundwork_platform::{ApiError, FieldError};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::isbn;
use crate::model::{self, BookFields};

/// A book to add, or the full new version of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BookRequest {
    /// 1 to 500 characters.
    title: String,
    /// 1 to 20 names.
    authors: Vec<String>,
    /// ISBN-13 (hyphens allowed), checked; unique in the catalog.
    #[serde(default)]
    isbn: Option<String>,
    /// Year of publication.
    #[serde(default)]
    published_year: Option<i32>,
    /// Up to 20 tags.
    #[serde(default)]
    tags: Vec<String>,
}

impl BookRequest {
    /// The checked fields; every bad field is named at once.
    pub fn into_fields(self) -> Result<BookFields, ApiError> {
        let title = model::title(&self.title);
        let authors = model::authors(&self.authors);
        let isbn = self
            .isbn
            .as_deref()
            .map(|raw| isbn::parse("isbn", raw))
            .transpose();
        let year = self.published_year.map(model::year).transpose();
        let tags = model::tags(&self.tags);
        match (title, authors, isbn, year, tags) {
            (Ok(title), Ok(authors), Ok(isbn), Ok(published_year), Ok(tags)) => Ok(BookFields {
                title,
                authors,
                isbn,
                published_year,
                tags,
            }),
            (title, authors, isbn, year, tags) => Err(ApiError::validation(
                [
                    title.err(),
                    authors.err(),
                    isbn.err(),
                    year.err(),
                    tags.err(),
                ]
                .into_iter()
                .flatten()
                .collect(),
            )),
        }
    }
}

/// `GET /books` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Text in the title, an author, the ISBN or a tag (case-insensitive).
    pub q: Option<String>,
    /// An author's exact name (case-insensitive).
    pub author: Option<String>,
    /// A tag.
    pub tag: Option<String>,
    /// Year of publication.
    pub year: Option<i32>,
    /// `desc` (newest first, the default) or `asc`.
    pub order: Option<String>,
    /// 1-based page (default 1).
    pub page: Option<u64>,
    /// Books per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
}

/// A checked list request.
#[derive(Debug)]
pub struct ListRequest {
    /// Lowercased search text.
    pub q: Option<String>,
    /// Lowercased author.
    pub author: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// Year.
    pub year: Option<i32>,
    /// Oldest first.
    pub ascending: bool,
    /// The page.
    pub page: Page,
}

impl ListRequest {
    /// Whether any filter is set (otherwise the page is read straight off the catalog).
    pub fn filters(&self) -> bool {
        self.q.is_some() || self.author.is_some() || self.tag.is_some() || self.year.is_some()
    }
}

impl ListQuery {
    /// Checks the parameters.
    pub fn parse(self) -> Result<ListRequest, ApiError> {
        let mut errors = Vec::new();
        let page = PageQuery {
            page: self.page,
            limit: self.limit,
        }
        .page()
        .map_err(|e| errors.extend(e.field_errors().iter().cloned()))
        .ok();
        let ascending = match self.order.as_deref() {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => {
                errors.push(FieldError::new(
                    "order",
                    "invalid",
                    "order must be asc or desc",
                ));
                false
            }
        };
        let clean = |value: Option<String>| {
            value
                .map(|v| v.trim().to_lowercase())
                .filter(|v| !v.is_empty())
        };
        let q = clean(self.q);
        if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            errors.push(FieldError::new("q", "too_long", "at most 200 characters"));
        }
        match page {
            Some(page) if errors.is_empty() => Ok(ListRequest {
                q,
                author: clean(self.author),
                tag: self
                    .tag
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty()),
                year: self.year,
                ascending,
                page,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}
