//! The date grammar, table-driven: every form, both slash orders, and the errors.

use chrono::{DateTime, TimeZone as _, Utc, Weekday};
use chrono_tz::Tz;

use super::{Calendar, Span};
use crate::config::DateOrder;

/// Wednesday 6 March 2024, 16:00 in Berlin.
fn calendar(order: DateOrder) -> Calendar {
    Calendar {
        zone: chrono_tz::Europe::Berlin,
        now: Utc
            .with_ymd_and_hms(2024, 3, 6, 15, 0, 0)
            .single()
            .unwrap_or_default(),
        order,
        week_start: Weekday::Mon,
    }
}

fn local(zone: Tz, instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn read(calendar: &Calendar, text: &str) -> Result<(String, String), String> {
    calendar
        .span(text)
        .map(|Span { start, end, .. }| (local(calendar.zone, start), local(calendar.zone, end)))
        .map_err(|failure| failure.message)
}

#[test]
fn dates_read_as_the_days_weeks_months_and_years_they_name() {
    let cases: &[(&str, DateOrder, &str, &str)] = &[
        (
            "2024-01-02",
            DateOrder::Mdy,
            "2024-01-02 00:00",
            "2024-01-03 00:00",
        ),
        (
            "1/2/24",
            DateOrder::Mdy,
            "2024-01-02 00:00",
            "2024-01-03 00:00",
        ),
        (
            "1/2/24",
            DateOrder::Dmy,
            "2024-02-01 00:00",
            "2024-02-02 00:00",
        ),
        (
            "1/2/2024",
            DateOrder::Mdy,
            "2024-01-02 00:00",
            "2024-01-03 00:00",
        ),
        (
            "01/02/2024",
            DateOrder::Dmy,
            "2024-02-01 00:00",
            "2024-02-02 00:00",
        ),
        (
            "1/2",
            DateOrder::Mdy,
            "2024-01-02 00:00",
            "2024-01-03 00:00",
        ),
        (
            "1/2",
            DateOrder::Dmy,
            "2024-02-01 00:00",
            "2024-02-02 00:00",
        ),
        (
            "2024/1/2",
            DateOrder::Dmy,
            "2024-01-02 00:00",
            "2024-01-03 00:00",
        ),
        (
            "24/1/2",
            DateOrder::Ymd,
            "2024-01-02 00:00",
            "2024-01-03 00:00",
        ),
        (
            "today",
            DateOrder::Mdy,
            "2024-03-06 00:00",
            "2024-03-07 00:00",
        ),
        (
            "Yesterday",
            DateOrder::Mdy,
            "2024-03-05 00:00",
            "2024-03-06 00:00",
        ),
        (
            "tomorrow",
            DateOrder::Mdy,
            "2024-03-07 00:00",
            "2024-03-08 00:00",
        ),
        (
            "monday",
            DateOrder::Mdy,
            "2024-03-04 00:00",
            "2024-03-05 00:00",
        ),
        (
            "wed",
            DateOrder::Mdy,
            "2024-03-06 00:00",
            "2024-03-07 00:00",
        ),
        (
            "thursday",
            DateOrder::Mdy,
            "2024-02-29 00:00",
            "2024-03-01 00:00",
        ),
        (
            "last monday",
            DateOrder::Mdy,
            "2024-03-04 00:00",
            "2024-03-05 00:00",
        ),
        (
            "last wednesday",
            DateOrder::Mdy,
            "2024-02-28 00:00",
            "2024-02-29 00:00",
        ),
        (
            "this friday",
            DateOrder::Mdy,
            "2024-03-08 00:00",
            "2024-03-09 00:00",
        ),
        (
            "next monday",
            DateOrder::Mdy,
            "2024-03-11 00:00",
            "2024-03-12 00:00",
        ),
        (
            "last week",
            DateOrder::Mdy,
            "2024-02-26 00:00",
            "2024-03-04 00:00",
        ),
        (
            "this week",
            DateOrder::Mdy,
            "2024-03-04 00:00",
            "2024-03-11 00:00",
        ),
        (
            "this month",
            DateOrder::Mdy,
            "2024-03-01 00:00",
            "2024-04-01 00:00",
        ),
        (
            "last month",
            DateOrder::Mdy,
            "2024-02-01 00:00",
            "2024-03-01 00:00",
        ),
        (
            "this year",
            DateOrder::Mdy,
            "2024-01-01 00:00",
            "2025-01-01 00:00",
        ),
        (
            "last year",
            DateOrder::Mdy,
            "2023-01-01 00:00",
            "2024-01-01 00:00",
        ),
        (
            "2023",
            DateOrder::Mdy,
            "2023-01-01 00:00",
            "2024-01-01 00:00",
        ),
        (
            "3 days ago",
            DateOrder::Mdy,
            "2024-03-03 00:00",
            "2024-03-04 00:00",
        ),
        (
            "2 weeks ago",
            DateOrder::Mdy,
            "2024-02-19 00:00",
            "2024-02-26 00:00",
        ),
        (
            "1 month ago",
            DateOrder::Mdy,
            "2024-02-01 00:00",
            "2024-03-01 00:00",
        ),
        (
            "jan",
            DateOrder::Mdy,
            "2024-01-01 00:00",
            "2024-02-01 00:00",
        ),
        (
            "January 2023",
            DateOrder::Mdy,
            "2023-01-01 00:00",
            "2023-02-01 00:00",
        ),
        (
            "on monday",
            DateOrder::Mdy,
            "2024-03-04 00:00",
            "2024-03-05 00:00",
        ),
    ];
    for (text, order, start, end) in cases {
        let read = read(&calendar(*order), text);
        assert_eq!(
            read,
            Ok(((*start).to_owned(), (*end).to_owned())),
            "{text} ({order:?})"
        );
    }
}

#[test]
fn times_read_as_instants_today_or_on_the_day_given() {
    let cases: &[(&str, &str)] = &[
        ("9:15", "2024-03-06 09:15"),
        ("17:30", "2024-03-06 17:30"),
        ("17:30:45", "2024-03-06 17:30"),
        ("5pm", "2024-03-06 17:00"),
        ("5 pm", "2024-03-06 17:00"),
        ("5:30pm", "2024-03-06 17:30"),
        ("12am", "2024-03-06 00:00"),
        ("12pm", "2024-03-06 12:00"),
        ("noon", "2024-03-06 12:00"),
        ("midnight", "2024-03-06 00:00"),
        ("yesterday 17:30", "2024-03-05 17:30"),
        ("yesterday at 5pm", "2024-03-05 17:00"),
        ("5pm friday", "2024-03-01 17:00"),
        ("2024-01-02T09:15", "2024-01-02 09:15"),
        ("2024-01-02 09:15", "2024-01-02 09:15"),
        ("1/2/24 9:00", "2024-01-02 09:00"),
        ("at 9:00", "2024-03-06 09:00"),
        ("now", "2024-03-06 16:00"),
    ];
    let calendar = calendar(DateOrder::Mdy);
    for (text, expected) in cases {
        let read = read(&calendar, text);
        assert_eq!(
            read,
            Ok(((*expected).to_owned(), (*expected).to_owned())),
            "{text}"
        );
    }
}

#[test]
fn malformed_phrases_say_which_part_was_not_understood() {
    let cases: &[(&str, &str)] = &[
        (
            "13/45/24",
            "in \"13/45/24\" (month/day/year), 13 is not a month",
        ),
        ("2/30/24", "February 2024 has no day 30"),
        ("2023-02-29", "February 2023 has no day 29"),
        ("1/2/3/4", "should be numbers like 1/2/24"),
        ("yesterdy", "did you mean \"yesterday\""),
        ("mondy", "did you mean \"monday\""),
        ("25:00", "there is no hour 25"),
        ("9:75", "minutes and seconds go up to 59"),
        ("13pm", "with am/pm the hour is 1 to 12"),
        ("last fortnight", "\"last fortnight\" is not a date"),
        ("last", "needs week, month, year or a weekday"),
        ("9", "alone is neither a date nor a time"),
        ("", "it is empty"),
        ("last week 9:00", "a time of day needs a single day"),
        ("today tomorrow", "\"tomorrow\" is not a date or time"),
        ("3 fortnights ago", "should be days, weeks or months"),
        (
            "2024-03-31 02:30",
            "02:30 does not exist on Sun 31 Mar 2024 in Europe/Berlin",
        ),
    ];
    let calendar = calendar(DateOrder::Mdy);
    for (text, expected) in cases {
        match read(&calendar, text) {
            Ok(read) => panic!("{text:?} should be refused, read as {read:?}"),
            Err(message) => assert!(message.contains(expected), "{text:?}: {message}"),
        }
    }
    // The dmy order is named in its errors too.
    let dmy = read(&calendar_dmy(), "45/13/24").err().unwrap_or_default();
    assert!(dmy.contains("(day/month/year), 13 is not a month"), "{dmy}");
}

fn calendar_dmy() -> Calendar {
    calendar(DateOrder::Dmy)
}

#[test]
fn daylight_saving_days_have_their_real_length() {
    let calendar = calendar(DateOrder::Mdy);
    // Spring forward: 23 hours. Fall back: 25 hours.
    let spring = calendar
        .span("2024-03-31")
        .ok()
        .unwrap_or_else(|| panic!("spring"));
    assert_eq!((spring.end - spring.start).num_hours(), 23);
    let autumn = calendar
        .span("2024-10-27")
        .ok()
        .unwrap_or_else(|| panic!("autumn"));
    assert_eq!((autumn.end - autumn.start).num_hours(), 25);
    // 02:30 happens twice on 27 October; the first (summer time, UTC+2) is taken.
    let twice = calendar
        .instant("2024-10-27 02:30")
        .ok()
        .unwrap_or_default();
    assert_eq!(
        twice,
        Utc.with_ymd_and_hms(2024, 10, 27, 0, 30, 0)
            .single()
            .unwrap_or_default()
    );
}

#[test]
fn weeks_start_where_the_config_says() {
    let mut calendar = calendar(DateOrder::Mdy);
    calendar.week_start = Weekday::Sun;
    assert_eq!(
        read(&calendar, "this week"),
        Ok(("2024-03-03 00:00".to_owned(), "2024-03-10 00:00".to_owned()))
    );
}

#[test]
fn a_bare_time_can_be_read_on_another_day() {
    let calendar = calendar(DateOrder::Mdy);
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap_or_default();
    let instant = calendar.instant_on("18:00", day).ok().unwrap_or_default();
    assert_eq!(local(calendar.zone, instant), "2024-01-02 18:00");
    let dated = calendar
        .instant_on("yesterday 18:00", day)
        .ok()
        .unwrap_or_default();
    assert_eq!(local(calendar.zone, dated), "2024-03-05 18:00");
}
