//! Checked poll values: what a request must satisfy before it reaches the database.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use groundwork_platform::error::checked_text;
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Options a poll needs at least.
pub const MIN_OPTIONS: usize = 2;
/// Options a poll may have at most.
pub const MAX_OPTIONS: usize = 20;
/// Longest question (characters).
pub const MAX_QUESTION_CHARS: usize = 500;
/// Longest option label (characters).
pub const MAX_LABEL_CHARS: usize = 200;
/// How far ahead a closing time may be.
pub const MAX_OPEN_DAYS: i64 = 366;

/// A poll to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPoll {
    /// The question, trimmed.
    pub question: String,
    /// The option labels, trimmed, in order.
    pub options: Vec<String>,
    /// Several options per ballot.
    pub multiple_choice: bool,
    /// Only signed-in users vote.
    pub login_required: bool,
    /// Closes on its own at this time.
    pub closes_at: Option<DateTime<Utc>>,
}

impl NewPoll {
    /// Checks every field, reporting all problems at once (422).
    pub fn parse(
        question: &str,
        options: &[String],
        multiple_choice: bool,
        login_required: bool,
        closes_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let question = errors.take(text("question", question, MAX_QUESTION_CHARS));
        if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&options.len()) {
            errors.push(FieldError::new(
                "options",
                "out_of_range",
                format!(
                    "a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options, not {}",
                    options.len()
                ),
            ));
        }
        let mut labels = Vec::with_capacity(options.len());
        let mut seen = HashSet::new();
        for (i, option) in options.iter().enumerate() {
            let field = format!("options[{i}]");
            if let Some(label) = errors.take(text(&field, option, MAX_LABEL_CHARS)) {
                if !seen.insert(label.to_lowercase()) {
                    errors.push(FieldError::new(
                        field,
                        "duplicate",
                        "two options say the same",
                    ));
                }
                labels.push(label);
            }
        }
        if let Some(closes_at) = closes_at {
            if closes_at <= now {
                errors.push(FieldError::new(
                    "closesAt",
                    "in_the_past",
                    "the closing time must be in the future",
                ));
            } else if closes_at > now + Duration::days(MAX_OPEN_DAYS) {
                errors.push(FieldError::new(
                    "closesAt",
                    "out_of_range",
                    format!("a poll closes within {MAX_OPEN_DAYS} days"),
                ));
            }
        }
        errors.finish(|| {
            Some(Self {
                question: question?,
                options: labels,
                multiple_choice,
                login_required,
                closes_at,
            })
        })
    }
}

fn text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    checked_text(field, value, max_chars, true)
}

/// Who votes: a signed-in user, or an anonymous voter by the token the server issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Voter {
    /// A signed-in account.
    User(Uuid),
    /// An anonymous voter, by the SHA-256 of their token.
    Anonymous(String),
}

impl Voter {
    /// The key stored in `polls_ballots.voter`.
    pub fn key(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Anonymous(hash) => format!("anon:{hash}"),
        }
    }
}

/// SHA-256 of a voter token, hex: what is stored, so a database leak yields no tokens.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The options one ballot names: not empty, no repeats, exactly one unless the poll is
/// multiple choice, each an option of this poll.
pub fn parse_choices(
    chosen: &[Uuid],
    options: &[Uuid],
    multiple_choice: bool,
) -> Result<Vec<Uuid>, ApiError> {
    if chosen.is_empty() {
        return Err(ApiError::invalid_field(
            "optionIds",
            "required",
            "choose at least one option",
        ));
    }
    if !multiple_choice && chosen.len() > 1 {
        return Err(ApiError::invalid_field(
            "optionIds",
            "single_choice",
            "this poll takes exactly one option per vote",
        ));
    }
    let mut unique = Vec::with_capacity(chosen.len());
    for id in chosen {
        if !options.contains(id) {
            return Err(ApiError::invalid_field(
                "optionIds",
                "not_in_poll",
                format!("{id} is not an option of this poll"),
            ));
        }
        if unique.contains(id) {
            return Err(ApiError::invalid_field(
                "optionIds",
                "duplicate",
                format!("{id} is chosen twice"),
            ));
        }
        unique.push(*id);
    }
    Ok(unique)
}

/// Whether a poll takes votes at `now`.
pub fn is_open(
    closes_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    closed_at.is_none() && closes_at.is_none_or(|t| now < t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_poll_needs_a_question_and_two_to_twenty_distinct_options() {
        let now = Utc::now();
        let ok = NewPoll::parse(
            " Lunch? ",
            &labels(&["Pizza", " Sushi "]),
            false,
            false,
            None,
            now,
        )
        .unwrap();
        assert_eq!(ok.question, "Lunch?");
        assert_eq!(ok.options, ["Pizza", "Sushi"]);
        assert!(NewPoll::parse("q", &labels(&["one"]), false, false, None, now).is_err());
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(NewPoll::parse("q", &many, false, false, None, now).is_err());
        assert!(NewPoll::parse("q", &labels(&["a", "A"]), false, false, None, now).is_err());
        assert!(NewPoll::parse("", &labels(&["a", "b"]), false, false, None, now).is_err());
        assert!(NewPoll::parse("q", &labels(&["a", " "]), false, false, None, now).is_err());
        let past = Some(now - Duration::seconds(1));
        assert!(NewPoll::parse("q", &labels(&["a", "b"]), false, false, past, now).is_err());
        let far = Some(now + Duration::days(400));
        assert!(NewPoll::parse("q", &labels(&["a", "b"]), false, false, far, now).is_err());
    }

    #[test]
    fn choices_must_fit_the_poll() {
        let (a, b, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(parse_choices(&[a], &[a, b], false).unwrap(), [a]);
        assert!(parse_choices(&[], &[a, b], true).is_err());
        assert!(parse_choices(&[a, b], &[a, b], false).is_err());
        assert_eq!(parse_choices(&[a, b], &[a, b], true).unwrap(), [a, b]);
        assert!(parse_choices(&[a, a], &[a, b], true).is_err());
        assert!(parse_choices(&[other], &[a, b], true).is_err());
    }

    #[test]
    fn a_poll_is_open_until_closed_or_past_its_closing_time() {
        let now = Utc::now();
        assert!(is_open(None, None, now));
        assert!(is_open(Some(now + Duration::seconds(1)), None, now));
        assert!(!is_open(Some(now), None, now));
        assert!(!is_open(None, Some(now), now));
    }
}
