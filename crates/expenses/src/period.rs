//! Date ranges of the list and summary filters, in the user's time zone.
//!
//! "Today" is the calendar date in the user's zone at the moment of the request; every
//! range is inclusive at both ends:
//! - `past_week`: the 7 days ending today (today and the 6 before);
//! - `past_month`: from the same day one calendar month ago, plus one, to today;
//! - `last_3_months`: likewise, three calendar months.

use chrono::{Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use groundwork_platform::FieldError;

/// A named period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// The last 7 days.
    PastWeek,
    /// The last month.
    PastMonth,
    /// The last three months.
    Last3Months,
}

impl Period {
    /// Parses `past_week`, `past_month` or `last_3_months`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "past_week" => Ok(Period::PastWeek),
            "past_month" => Ok(Period::PastMonth),
            "last_3_months" => Ok(Period::Last3Months),
            _ => Err(FieldError::new(
                "period",
                "invalid",
                "period must be past_week, past_month or last_3_months (or use from and to)",
            )),
        }
    }

    /// The inclusive range ending on `today`.
    pub fn range(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let start = match self {
            Period::PastWeek => today.checked_sub_days(Days::new(6)),
            Period::PastMonth => today
                .checked_sub_months(Months::new(1))
                .and_then(|d| d.checked_add_days(Days::new(1))),
            Period::Last3Months => today
                .checked_sub_months(Months::new(3))
                .and_then(|d| d.checked_add_days(Days::new(1))),
        };
        (start.unwrap_or(NaiveDate::MIN), today)
    }
}

/// Today's date in a time zone.
pub fn today_in(zone: Tz) -> NaiveDate {
    Utc::now().with_timezone(&zone).date_naive()
}

/// Parses an IANA time zone name (`Europe/Paris`, `UTC`).
pub fn parse_zone(field: &str, raw: &str) -> Result<Tz, FieldError> {
    raw.trim().parse::<Tz>().map_err(|_| {
        FieldError::new(
            field,
            "unknown_time_zone",
            "not an IANA time zone name (such as UTC, Europe/Paris, America/New_York)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_end_today_and_span_whole_calendar_units() {
        let today = day(2026, 3, 31);
        assert_eq!(Period::PastWeek.range(today), (day(2026, 3, 25), today));
        assert_eq!(Period::PastMonth.range(today), (day(2026, 3, 1), today));
        assert_eq!(Period::Last3Months.range(today), (day(2026, 1, 1), today));
        // 31 March minus a month is the last day of February, then one day on.
        assert_eq!(
            Period::PastMonth.range(day(2026, 3, 30)),
            (day(2026, 3, 1), day(2026, 3, 30))
        );
        assert_eq!(
            Period::PastMonth.range(day(2026, 5, 15)),
            (day(2026, 4, 16), day(2026, 5, 15))
        );
    }

    #[test]
    fn zones_parse_by_iana_name() {
        assert!(parse_zone("timeZone", "Europe/Paris").is_ok());
        assert!(parse_zone("timeZone", "UTC").is_ok());
        assert_eq!(
            parse_zone("timeZone", "Mars/Olympus").unwrap_err().code,
            "unknown_time_zone"
        );
    }
}
