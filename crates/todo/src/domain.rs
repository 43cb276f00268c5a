//! Checked values of a to-do item. Requests are parsed into these before any handler or
//! query sees them.

use chrono::NaiveDate;
use groundwork_platform::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 10_000;
/// Longest search text, in characters.
pub const MAX_QUERY: usize = 200;

/// Where an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not started (the default).
    Todo,
    /// Started.
    InProgress,
    /// Finished.
    Done,
}

impl Status {
    /// Every status, for messages.
    pub const ALL: [Status; 3] = [Status::Todo, Status::InProgress, Status::Done];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::InProgress => "in-progress",
            Status::Done => "done",
        }
    }

    /// Parses a name; the error names the field and the accepted values.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "invalid",
                    "status must be one of todo, in-progress, done",
                )
            })
    }
}

/// How urgent an item is; stored as 1, 2, 3 so that it sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// 1.
    Low,
    /// 2 (the default).
    Medium,
    /// 3.
    High,
}

impl Priority {
    /// The stored rank.
    pub fn rank(self) -> i32 {
        match self {
            Priority::Low => 1,
            Priority::Medium => 2,
            Priority::High => 3,
        }
    }

    /// From a stored rank (anything unexpected reads as medium).
    pub fn from_rank(rank: i32) -> Self {
        match rank {
            1 => Priority::Low,
            3 => Priority::High,
            _ => Priority::Medium,
        }
    }

    /// Parses a name.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "low" => Ok(Priority::Low),
            "medium" => Ok(Priority::Medium),
            "high" => Ok(Priority::High),
            _ => Err(FieldError::new(
                field,
                "invalid",
                "priority must be one of low, medium, high",
            )),
        }
    }
}

/// A title: trimmed, 1 to [`MAX_TITLE`] characters, no control characters.
pub fn title(raw: &str) -> Result<String, FieldError> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(FieldError::new(
            "title",
            "required",
            "the title cannot be empty",
        ));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(FieldError::new(
            "title",
            "too_long",
            "at most 200 characters",
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(FieldError::new(
            "title",
            "invalid",
            "control characters are not allowed",
        ));
    }
    Ok(title.to_owned())
}

/// A description: up to [`MAX_DESCRIPTION`] characters; may be empty; line breaks and
/// tabs allowed, other control characters not.
pub fn description(raw: &str) -> Result<String, FieldError> {
    if raw.chars().count() > MAX_DESCRIPTION {
        return Err(FieldError::new(
            "description",
            "too_long",
            "at most 10000 characters",
        ));
    }
    if raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            "description",
            "invalid",
            "control characters other than line breaks and tabs are not allowed",
        ));
    }
    Ok(raw.trim_end().to_owned())
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            "invalid",
            "expected a date as YYYY-MM-DD, such as 2026-12-31",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_priorities_round_trip_and_refuse_unknown_names() {
        for status in Status::ALL {
            assert_eq!(Status::parse("status", status.as_str()).unwrap(), status);
        }
        assert_eq!(
            Status::parse("status", "finished").unwrap_err().field,
            "status"
        );
        for priority in [Priority::Low, Priority::Medium, Priority::High] {
            assert_eq!(Priority::from_rank(priority.rank()), priority);
        }
        assert!(Priority::parse("priority", "urgent").is_err());
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  Buy milk ").unwrap(), "Buy milk");
        assert_eq!(title("   ").unwrap_err().code, "required");
        assert_eq!(title(&"x".repeat(201)).unwrap_err().code, "too_long");
        assert!(title(&"é".repeat(200)).is_ok(), "characters, not bytes");
        assert_eq!(title("a\u{0}b").unwrap_err().code, "invalid");
    }

    #[test]
    fn descriptions_keep_line_breaks_but_not_other_control_characters() {
        assert_eq!(description("one\ntwo\n").unwrap(), "one\ntwo");
        assert!(description("").is_ok());
        assert!(description("bell\u{7}").is_err());
        assert!(description(&"x".repeat(10_001)).is_err());
    }

    #[test]
    fn dates_must_be_real_calendar_days() {
        assert_eq!(
            date("dueDate", "2026-02-28").unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        assert!(date("dueDate", "2026-02-30").is_err());
        assert!(date("dueDate", "28/02/2026").is_err());
    }
}
