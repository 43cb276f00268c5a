//! The date and time grammar: `2024-01-02`, `1/2/24`, `yesterday`, `last week`, `9:15`, `5pm`.
//!
//! A phrase is an optional date part and an optional time part, in either order
//! (`yesterday 17:30`, `5pm friday`, `2024-01-02T09:15`). A date part names a day, a week, a
//! month or a year; with a time it names an instant. `since` takes the start of what a phrase
//! names and `until` its end, so `until 1/31/24` includes the whole of 31 January.

mod calendar;
mod words;

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub use calendar::Calendar;
use words::{DatePart, Phrase};

use crate::failure::Failure;

/// A stretch of time a phrase names; an instant when `start == end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first instant.
    pub start: DateTime<Utc>,
    /// The instant after the last (exclusive).
    pub end: DateTime<Utc>,
    /// How it reads back ("Tue 2 Jan 2024", "week of Mon 1 Jan 2024", "Tue 2 Jan 2024 09:15").
    pub label: String,
}

/// The forms the grammar accepts, for hints.
pub const FORMS: &str = "2024-01-02, 1/2/24, today, yesterday, monday, last week, this month, \
                         3 days ago, 9:15, 17:30, 5pm, yesterday 17:30";

impl Calendar {
    /// What a phrase names: a day, week, month or year, or an instant when it has a time.
    pub fn span(&self, text: &str) -> Result<Span, Failure> {
        let phrase = self.phrase(text)?;
        self.span_of(text, &phrase)
    }

    /// The instant a phrase names: its time on its day, or the day's start when it has no
    /// time. A bare time is today's.
    pub fn instant(&self, text: &str) -> Result<DateTime<Utc>, Failure> {
        self.instant_on(text, self.today())
    }

    /// Like [`Calendar::instant`], with a bare time read on `day` (editing an entry: `--stop
    /// 18:00` means 18:00 on the entry's own day).
    pub fn instant_on(&self, text: &str, day: NaiveDate) -> Result<DateTime<Utc>, Failure> {
        let mut phrase = self.phrase(text)?;
        if phrase.date.is_none() && phrase.time.is_some() {
            phrase.date = Some(DatePart::Day(day));
        }
        Ok(self.span_of(text, &phrase)?.start)
    }

    fn phrase(&self, text: &str) -> Result<Phrase, Failure> {
        words::parse(self, text).map_err(|reason| self.unreadable(text, &reason))
    }

    /// "could not read ... as a date or time", with the forms and the date order as the hint.
    fn unreadable(&self, text: &str, reason: &str) -> Failure {
        Failure::usage(format!(
            "could not read \"{}\" as a date or time: {reason}",
            text.trim()
        ))
        .hint(format!(
            "dates are {} here (date_order in the config); forms: {FORMS}",
            self.order.describe()
        ))
    }

    fn span_of(&self, text: &str, phrase: &Phrase) -> Result<Span, Failure> {
        let bad = |reason: String| self.unreadable(text, &reason);
        if phrase.now {
            return Ok(Span {
                start: self.now,
                end: self.now,
                label: self.label_instant(self.now),
            });
        }
        let date = phrase.date.unwrap_or(DatePart::Day(self.today()));
        if let Some(time) = phrase.time {
            let DatePart::Day(day) = date else {
                return Err(bad(
                    "a time of day needs a single day, not a week, month or year".into(),
                ));
            };
            let instant = self.at(day, time).map_err(bad)?;
            return Ok(Span {
                start: instant,
                end: instant,
                label: self.label_instant(instant),
            });
        }
        let (first, after, label) = match date {
            DatePart::Day(day) => (day, day + Duration::days(1), label_day(day)),
            DatePart::Week(first) => (
                first,
                first + Duration::days(7),
                format!("week of {}", label_day(first)),
            ),
            DatePart::Month(first) => (
                first,
                Calendar::next_month(first),
                first.format("%B %Y").to_string(),
            ),
            DatePart::Year(year) => {
                let first = NaiveDate::from_ymd_opt(year, 1, 1)
                    .ok_or_else(|| bad(format!("the year {year} is out of range")))?;
                let after = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or(first);
                (first, after, year.to_string())
            }
        };
        Ok(Span {
            start: self.day_start(first),
            end: self.day_start(after),
            label,
        })
    }

    /// "Tue 2 Jan 2024 09:15" in the user's zone.
    pub fn label_instant(&self, instant: DateTime<Utc>) -> String {
        self.local(instant).format("%a %-d %b %Y %H:%M").to_string()
    }

    /// A local date as the user reads it.
    pub fn label_date(&self, date: NaiveDate) -> String {
        label_day(date)
    }

    /// The local date an instant falls on.
    pub fn date_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        self.local(instant).date_naive()
    }
}

fn label_day(day: NaiveDate) -> String {
    day.format("%a %-d %b %Y").to_string()
}

#[cfg(test)]
mod tests;
