//! A book, and the checked values that create or change one.

use chrono::{DateTime, Datelike, Utc};
use groundwork_platform::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 500;
/// Most authors of one book.
pub const MAX_AUTHORS: usize = 20;
/// Longest author name.
pub const MAX_AUTHOR: usize = 200;
/// Most tags of one book.
pub const MAX_TAGS: usize = 20;
/// Longest tag.
pub const MAX_TAG: usize = 64;
/// Earliest publication year accepted (clay tablets are out of scope).
pub const MIN_YEAR: i32 = -3000;

/// A book, as stored in the file and returned by the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Book {
    /// Id (UUID v7: ordered by creation).
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Authors, in credit order.
    pub authors: Vec<String>,
    /// ISBN-13 as 13 digits, if the book has one; unique in the catalog.
    pub isbn: Option<String>,
    /// Year of publication.
    pub published_year: Option<i32>,
    /// Tags, sorted, without duplicates.
    pub tags: Vec<String>,
    /// The account that added it (it, or an admin, may change it).
    pub created_by: Uuid,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Book {
    /// Lowercased text that `?q=` searches: title, authors, ISBN and tags.
    pub fn search_text(&self) -> String {
        let mut text = self.title.to_lowercase();
        for author in &self.authors {
            text.push('\n');
            text.push_str(&author.to_lowercase());
        }
        if let Some(isbn) = &self.isbn {
            text.push('\n');
            text.push_str(isbn);
        }
        for tag in &self.tags {
            text.push('\n');
            text.push_str(&tag.to_lowercase());
        }
        text
    }
}

/// The fields a client sets, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookFields {
    /// Title.
    pub title: String,
    /// Authors.
    pub authors: Vec<String>,
    /// ISBN-13 digits.
    pub isbn: Option<String>,
    /// Year.
    pub published_year: Option<i32>,
    /// Tags.
    pub tags: Vec<String>,
}

fn text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "required", "cannot be empty"));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid",
            "control characters are not allowed",
        ));
    }
    Ok(value.to_owned())
}

/// A title.
pub fn title(raw: &str) -> Result<String, FieldError> {
    text("title", raw, MAX_TITLE)
}

/// Authors: 1 to [`MAX_AUTHORS`] names.
pub fn authors(raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.is_empty() || raw.len() > MAX_AUTHORS {
        return Err(FieldError::new(
            "authors",
            "out_of_range",
            "list 1 to 20 authors",
        ));
    }
    raw.iter()
        .enumerate()
        .map(|(i, name)| text(&format!("authors[{i}]"), name, MAX_AUTHOR))
        .collect()
}

/// Tags: up to [`MAX_TAGS`], sorted and deduplicated.
pub fn tags(raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.len() > MAX_TAGS {
        return Err(FieldError::new("tags", "out_of_range", "at most 20 tags"));
    }
    let mut tags = raw
        .iter()
        .enumerate()
        .map(|(i, tag)| text(&format!("tags[{i}]"), tag, MAX_TAG))
        .collect::<Result<Vec<_>, _>>()?;
    tags.sort_unstable();
    tags.dedup();
    Ok(tags)
}

/// A publication year between [`MIN_YEAR`] and next year.
pub fn year(raw: i32) -> Result<i32, FieldError> {
    let next_year = Utc::now().year() + 1;
    if (MIN_YEAR..=next_year).contains(&raw) {
        Ok(raw)
    } else {
        Err(FieldError::new(
            "publishedYear",
            "out_of_range",
            format!("a year between {MIN_YEAR} and {next_year}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_and_deduplicated_and_authors_bounded() {
        let tags = tags(&["sf".into(), "classic".into(), "sf".into()]).unwrap();
        assert_eq!(tags, ["classic", "sf"]);
        assert!(authors(&[]).is_err());
        assert_eq!(
            authors(&["ok".into(), " ".into()]).unwrap_err().field,
            "authors[1]"
        );
        assert!(year(1455).is_ok());
        assert!(year(99_999).is_err());
    }
}
