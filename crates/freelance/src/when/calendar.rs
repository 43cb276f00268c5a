//! The user's calendar: their time zone, "now", and how local days map to UTC instants.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

use crate::config::{Config, DateOrder};
use crate::failure::{Failure, Outcome};

/// Everything date arithmetic needs: the zone, the current instant and the user's conventions.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// The zone times are shown and read in.
    pub zone: Tz,
    /// The current instant (`FREELANCE_NOW` pins it, for reproducible reports and tests).
    pub now: DateTime<Utc>,
    /// How `1/2/24` reads.
    pub order: DateOrder,
    /// Where weeks start.
    pub week_start: Weekday,
}

impl Calendar {
    /// The calendar from the settings, the system zone and the clock.
    pub fn from_config(config: &Config) -> Outcome<Self> {
        let zone = resolve_zone(&config.timezone)?;
        let now = match std::env::var("FREELANCE_NOW") {
            Ok(text) if !text.is_empty() => DateTime::parse_from_rfc3339(&text)
                .map_err(|error| {
                    Failure::usage(format!("FREELANCE_NOW is not an RFC 3339 time: {error}"))
                        .hint("for example FREELANCE_NOW=2024-01-02T17:30:00+01:00, or unset it")
                })?
                .with_timezone(&Utc),
            _ => Utc::now(),
        };
        Ok(Self {
            zone,
            now: now.with_timezone(&Utc),
            order: config.date_order,
            week_start: config.week_start.weekday(),
        })
    }

    /// Today's date in the user's zone.
    pub fn today(&self) -> NaiveDate {
        self.local(self.now).date_naive()
    }

    /// An instant in the user's zone.
    pub fn local(&self, instant: DateTime<Utc>) -> DateTime<Tz> {
        instant.with_timezone(&self.zone)
    }

    /// The instant a local day begins. Where a zone skips midnight (a DST change at 00:00),
    /// the day begins at its first existing minute.
    pub fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut at = date.and_time(NaiveTime::MIN);
        loop {
            match self.zone.from_local_datetime(&at) {
                LocalResult::Single(instant) => return instant.with_timezone(&Utc),
                LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
                // Gaps are at most a few hours; step through them.
                LocalResult::None => at += Duration::minutes(15),
            }
        }
    }

    /// A wall-clock time the user typed, as an instant. A time the clocks skipped is an
    /// error; a time that happened twice (clocks going back) is its first occurrence.
    pub fn at(&self, date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, String> {
        match self
            .zone
            .from_local_datetime(&NaiveDateTime::new(date, time))
        {
            LocalResult::Single(instant) => Ok(instant.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
            LocalResult::None => Err(format!(
                "{} does not exist on {} in {} (the clocks went forward)",
                time.format("%H:%M"),
                date.format("%a %-d %b %Y"),
                self.zone.name()
            )),
        }
    }

    /// The first day of the week holding `date`.
    pub fn week_of(&self, date: NaiveDate) -> NaiveDate {
        let back = (7 + date.weekday().num_days_from_monday()
            - self.week_start.num_days_from_monday())
            % 7;
        date - Duration::days(i64::from(back))
    }

    /// The first day of the month holding `date`.
    pub fn month_of(date: NaiveDate) -> NaiveDate {
        date.with_day(1).unwrap_or(date)
    }

    /// The first day of the next month.
    pub fn next_month(date: NaiveDate) -> NaiveDate {
        let first = Self::month_of(date);
        first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first)
    }
}

/// The zone named in the config, else `TZ`, else the system's, else UTC.
fn resolve_zone(configured: &str) -> Outcome<Tz> {
    if !configured.is_empty() {
        return configured.parse::<Tz>().map_err(|_| {
            Failure::usage(format!(
                "timezone = \"{configured}\" is not an IANA zone name"
            ))
            .hint("for example timezone = \"Europe/Berlin\" or \"America/New_York\"")
        });
    }
    let from_env = std::env::var("TZ").ok();
    let candidates = from_env
        .as_deref()
        .map(|tz| tz.trim_start_matches(':').to_owned())
        .into_iter()
        .chain(iana_time_zone::get_timezone().ok());
    for name in candidates {
        let name = name
            .rsplit_once("zoneinfo/")
            .map_or(name.as_str(), |(_, zone)| zone)
            .to_owned();
        if let Ok(zone) = name.parse::<Tz>() {
            return Ok(zone);
        }
    }
    Ok(Tz::UTC)
}
