//! Local times and zones: a workout is scheduled at a wall-clock time in a zone; it is
//! stored as the UTC instant plus the zone's name, so that reports can bucket it by the
//! local date it had for its owner, across DST changes.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use groundwork_platform::FieldError;

/// Parses an IANA zone name.
pub fn zone(field: &str, raw: &str) -> Result<Tz, FieldError> {
    raw.trim().parse::<Tz>().map_err(|_| {
        FieldError::new(
            field,
            "unknown_time_zone",
            "not an IANA time zone name (such as UTC, Europe/Paris, America/New_York)",
        )
    })
}

/// A wall-clock time in a zone as a UTC instant. Accepts `YYYY-MM-DDTHH:MM[:SS]` (local
/// to `zone`) or an RFC 3339 time with an offset. A local time the clocks skip (the hour
/// lost when DST starts) is refused; one that happens twice (the hour repeated when DST
/// ends) means the first of the two.
pub fn local_to_utc(field: &str, raw: &str, zone: Tz) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(raw) {
        return Ok(instant.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            FieldError::new(
                field,
                "invalid",
                "expected a local date-time such as 2026-11-23T07:00 (or RFC 3339 with an offset)",
            )
        })?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(local) => Ok(local.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(FieldError::new(
            field,
            "nonexistent_local_time",
            format!("{naive} does not exist in {zone}: the clocks skip it"),
        )),
    }
}

/// The UTC instant a local date starts at in `zone` (the first instant of that day, even
/// when midnight itself is skipped by a DST change).
pub fn start_of_day(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let mut time = NaiveTime::MIN;
    for _ in 0..24 * 4 {
        match zone.from_local_datetime(&date.and_time(time)) {
            LocalResult::Single(local) | LocalResult::Ambiguous(local, _) => {
                return local.with_timezone(&Utc);
            }
            LocalResult::None => time += chrono::Duration::minutes(15),
        }
    }
    date.and_time(NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> Tz {
        zone("tz", "Europe/Paris").unwrap()
    }

    #[test]
    fn local_times_become_instants_across_dst() {
        // Winter: UTC+1. Summer: UTC+2.
        let winter = local_to_utc("t", "2026-01-15T07:00", paris()).unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-01-15T06:00:00+00:00");
        let summer = local_to_utc("t", "2026-07-15T07:00:00", paris()).unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-07-15T05:00:00+00:00");
        // 29 March 2026, 02:30 does not exist in Paris; 25 October 02:30 happens twice.
        assert_eq!(
            local_to_utc("t", "2026-03-29T02:30", paris())
                .unwrap_err()
                .code,
            "nonexistent_local_time"
        );
        let twice = local_to_utc("t", "2026-10-25T02:30", paris()).unwrap();
        assert_eq!(
            twice.to_rfc3339(),
            "2026-10-25T00:30:00+00:00",
            "the first one"
        );
        let explicit = local_to_utc("t", "2026-01-15T07:00:00-05:00", paris()).unwrap();
        assert_eq!(explicit.to_rfc3339(), "2026-01-15T12:00:00+00:00");
    }

    #[test]
    fn days_start_at_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            start_of_day(day, paris()).to_rfc3339(),
            "2026-06-30T22:00:00+00:00"
        );
    }
}
