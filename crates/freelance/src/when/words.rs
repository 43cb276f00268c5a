//! Tokens to a [`Phrase`]: which words are dates, which are times, and what is wrong with
//! the ones that are neither.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use super::Calendar;
use crate::config::DateOrder;

/// What a date part names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePart {
    /// One local day.
    Day(NaiveDate),
    /// The week starting on this day.
    Week(NaiveDate),
    /// The month starting on this day.
    Month(NaiveDate),
    /// A calendar year.
    Year(i32),
}

/// A parsed phrase: a date part, a time of day, or `now`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Phrase {
    pub date: Option<DatePart>,
    pub time: Option<NaiveTime>,
    pub now: bool,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Every word the grammar knows, for "did you mean" hints.
const KNOWN_WORDS: [&str; 17] = [
    "today",
    "yesterday",
    "tomorrow",
    "now",
    "noon",
    "midnight",
    "last",
    "this",
    "next",
    "week",
    "month",
    "year",
    "days",
    "weeks",
    "months",
    "ago",
    "at",
];

/// Parses a phrase; the error says which part was not understood and why.
pub fn parse(calendar: &Calendar, text: &str) -> Result<Phrase, String> {
    let lowered = text.to_lowercase().replace(',', " ");
    let mut tokens: Vec<&str> = Vec::new();
    for token in lowered.split_whitespace() {
        // `2024-01-02T09:15`: the ISO form's date and time as two tokens.
        match token.split_once('t') {
            Some((date, time)) if iso_date(date).is_some() && !time.is_empty() => {
                tokens.extend([date, time]);
            }
            _ => tokens.push(token),
        }
    }
    tokens.retain(|token| !matches!(*token, "at" | "on"));
    if tokens.is_empty() {
        return Err("it is empty".to_owned());
    }
    let mut phrase = Phrase::default();
    let mut rest = tokens.as_slice();
    while let Some(first) = rest.first() {
        if *first == "now" && !phrase.now && phrase.date.is_none() && phrase.time.is_none() {
            phrase.now = true;
            rest = &rest[1..];
            continue;
        }
        if phrase.date.is_none()
            && !phrase.now
            && let Some((date, used)) = date_part(calendar, rest)?
        {
            phrase.date = Some(date);
            rest = &rest[used..];
            continue;
        }
        if phrase.time.is_none()
            && !phrase.now
            && let Some((time, used)) = time_part(rest)?
        {
            phrase.time = Some(time);
            rest = &rest[used..];
            continue;
        }
        return Err(not_understood(first));
    }
    Ok(phrase)
}

fn not_understood(token: &str) -> String {
    let vocabulary = KNOWN_WORDS
        .iter()
        .copied()
        .chain(WEEKDAYS.iter().map(|(name, _)| *name))
        .chain(MONTHS.iter().copied());
    let nearest = vocabulary
        .map(|word| (strsim::levenshtein(token, word), word))
        .min_by_key(|(distance, _)| *distance)
        .filter(|(distance, word)| *distance <= 2 && *distance < word.len() / 2 + 1);
    match nearest {
        Some((_, word)) => {
            format!("\"{token}\" is not a date or time word (did you mean \"{word}\"?)")
        }
        None if token.chars().all(|c| c.is_ascii_digit()) => {
            format!("\"{token}\" alone is neither a date nor a time (write 9:00 or 9am for a time)")
        }
        None => format!("\"{token}\" is not a date or time"),
    }
}

/// A date part at the start of `tokens`, and how many tokens it used.
fn date_part(calendar: &Calendar, tokens: &[&str]) -> Result<Option<(DatePart, usize)>, String> {
    let today = calendar.today();
    let first = tokens[0];
    let second = tokens.get(1).copied();
    if let Some(parsed) = iso_date(first) {
        return parsed.map(|day| Some((DatePart::Day(day), 1)));
    }
    if first.contains('/') {
        return slashed_date(first, calendar.order, today.year())
            .map(|day| Some((DatePart::Day(day), 1)));
    }
    if first.len() == 4
        && let Ok(year) = first.parse::<i32>()
    {
        return Ok(Some((DatePart::Year(year), 1)));
    }
    let relative_day = match first {
        "today" => Some(today),
        "yesterday" => Some(today - Duration::days(1)),
        "tomorrow" => Some(today + Duration::days(1)),
        _ => None,
    };
    if let Some(day) = relative_day {
        return Ok(Some((DatePart::Day(day), 1)));
    }
    if let Some(weekday) = weekday(first) {
        return Ok(Some((DatePart::Day(on_or_before(today, weekday)), 1)));
    }
    if let Some(month) = month(first) {
        let (year, used) = match second.and_then(|year| year.parse::<i32>().ok()) {
            Some(year) if second.is_some_and(|text| text.len() == 4) => (year, 2),
            _ => (today.year(), 1),
        };
        let day = NaiveDate::from_ymd_opt(year, month, 1).ok_or("that month is out of range")?;
        return Ok(Some((DatePart::Month(day), used)));
    }
    if matches!(first, "last" | "this" | "next") {
        let step: i64 = match first {
            "last" => -1,
            "this" => 0,
            _ => 1,
        };
        let Some(unit) = second else {
            return Err(format!(
                "\"{first}\" needs week, month, year or a weekday after it"
            ));
        };
        return shifted(calendar, step, unit)
            .map(|part| Some((part, 2)))
            .ok_or_else(|| format!("\"{first} {unit}\" is not a date: say week, month, year or a weekday after \"{first}\""));
    }
    if let (Ok(count), Some(unit), Some("ago")) =
        (first.parse::<i64>(), second, tokens.get(2).copied())
    {
        let part = match unit {
            "day" | "days" => DatePart::Day(today - Duration::days(count)),
            "week" | "weeks" => DatePart::Week(calendar.week_of(today - Duration::weeks(count))),
            "month" | "months" => {
                let back = u32::try_from(count).map_err(|_| "too many months ago")?;
                let day = Calendar::month_of(today)
                    .checked_sub_months(chrono::Months::new(back))
                    .ok_or("too many months ago")?;
                DatePart::Month(day)
            }
            other => {
                return Err(format!(
                    "\"{other}\" in \"{count} {other} ago\" should be days, weeks or months"
                ));
            }
        };
        return Ok(Some((part, 3)));
    }
    Ok(None)
}

/// `last week`, `this month`, `next year`, `last friday`.
fn shifted(calendar: &Calendar, step: i64, unit: &str) -> Option<DatePart> {
    let today = calendar.today();
    match unit {
        "week" => Some(DatePart::Week(
            calendar.week_of(today) + Duration::weeks(step),
        )),
        "month" => {
            let this = Calendar::month_of(today);
            let months = chrono::Months::new(u32::try_from(step.abs()).ok()?);
            Some(DatePart::Month(if step < 0 {
                this.checked_sub_months(months)?
            } else {
                this.checked_add_months(months)?
            }))
        }
        "year" => Some(DatePart::Year(today.year() + i32::try_from(step).ok()?)),
        name => {
            let weekday = weekday(name)?;
            // "last friday": the most recent Friday before today; "this friday": this week's;
            // "next friday": the first Friday after today.
            Some(DatePart::Day(match step {
                -1 => on_or_before(today - Duration::days(1), weekday),
                0 => {
                    calendar.week_of(today)
                        + Duration::days(days_after(calendar.week_start, weekday))
                }
                _ => on_or_before(today + Duration::days(7), weekday),
            }))
        }
    }
}

fn days_after(start: Weekday, day: Weekday) -> i64 {
    i64::from((7 + day.num_days_from_monday() - start.num_days_from_monday()) % 7)
}

fn on_or_before(day: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + day.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    day - Duration::days(i64::from(back))
}

fn weekday(word: &str) -> Option<Weekday> {
    WEEKDAYS
        .iter()
        .find(|(name, _)| word.len() >= 3 && name.starts_with(word))
        .map(|(_, day)| *day)
}

fn month(word: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|name| word.len() >= 3 && name.starts_with(word))
        .and_then(|index| u32::try_from(index + 1).ok())
}

/// `2024-01-02`: `None` when the token is not shaped like one, `Some(Err)` when it is shaped
/// like one but is not a real date.
fn iso_date(token: &str) -> Option<Result<NaiveDate, String>> {
    let mut parts = token.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let shaped = parts.next().is_none()
        && year.len() == 4
        && [year, month, day].iter().all(|part| {
            !part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit())
        });
    if !shaped {
        return None;
    }
    let number = |part: &str| part.parse::<u32>().unwrap_or(0);
    Some(real_date(
        i32::try_from(number(year)).unwrap_or(0),
        number(month),
        number(day),
    ))
}

/// `1/2/24`, `1/2/2024`, `1/2` (this year), `2024/1/2`, read in the configured order.
fn slashed_date(token: &str, order: DateOrder, this_year: i32) -> Result<NaiveDate, String> {
    let parts: Vec<&str> = token.split('/').collect();
    if parts.len() > 3
        || parts.iter().any(|part| {
            part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit())
        })
    {
        return Err(format!("\"{token}\" should be numbers like 1/2/24"));
    }
    let numbers: Vec<u32> = parts.iter().map(|part| part.parse().unwrap_or(0)).collect();
    let year = |text: &str, value: u32| -> i32 {
        let value = i32::try_from(value).unwrap_or(0);
        // Two-digit years are this century's: freelancers do not bill the 1900s.
        if text.len() <= 2 { 2000 + value } else { value }
    };
    let (y, m, d, order_name) = match (parts.len(), order) {
        (2, DateOrder::Dmy) => (this_year, numbers[1], numbers[0], "day/month"),
        (2, _) => (this_year, numbers[0], numbers[1], "month/day"),
        (_, _) if parts[0].len() == 4 => (
            year(parts[0], numbers[0]),
            numbers[1],
            numbers[2],
            "year/month/day",
        ),
        (_, DateOrder::Mdy) => (
            year(parts[2], numbers[2]),
            numbers[0],
            numbers[1],
            order.describe(),
        ),
        (_, DateOrder::Dmy) => (
            year(parts[2], numbers[2]),
            numbers[1],
            numbers[0],
            order.describe(),
        ),
        (_, DateOrder::Ymd) => (
            year(parts[0], numbers[0]),
            numbers[1],
            numbers[2],
            order.describe(),
        ),
    };
    real_date(y, m, d).map_err(|reason| format!("in \"{token}\" ({order_name}), {reason}"))
}

fn real_date(year: i32, month: u32, day: u32) -> Result<NaiveDate, String> {
    if !(1..=12).contains(&month) {
        return Err(format!("{month} is not a month"));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let month_name = NaiveDate::from_ymd_opt(year, month, 1)
            .map_or_else(|| month.to_string(), |first| first.format("%B").to_string());
        format!("{month_name} {year} has no day {day}")
    })
}

/// A time of day at the start of `tokens`: `9:15`, `17:30:05`, `5pm`, `5:30 pm`, `noon`.
fn time_part(tokens: &[&str]) -> Result<Option<(NaiveTime, usize)>, String> {
    let first = tokens[0];
    match first {
        "noon" => {
            return Ok(Some((
                NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
                1,
            )));
        }
        "midnight" => return Ok(Some((NaiveTime::MIN, 1))),
        _ => {}
    }
    let suffix = tokens
        .get(1)
        .copied()
        .filter(|next| matches!(*next, "am" | "pm"));
    let (clock_text, meridiem, used) = if let Some(stripped) = first.strip_suffix("am") {
        (stripped, Some("am"), 1)
    } else if let Some(stripped) = first.strip_suffix("pm") {
        (stripped, Some("pm"), 1)
    } else {
        (first, suffix, if suffix.is_some() { 2 } else { 1 })
    };
    if !clock_text.contains(':') && meridiem.is_none() {
        return Ok(None);
    }
    if clock_text.is_empty() || !clock_text.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return Ok(None);
    }
    let numbers: Vec<&str> = clock_text.split(':').collect();
    if numbers.len() > 3 || numbers.iter().any(|n| n.is_empty() || n.len() > 2) {
        return Err(format!("\"{first}\" should look like 9:15, 17:30 or 5pm"));
    }
    let value = |index: usize| {
        numbers
            .get(index)
            .map_or(0, |n| n.parse::<u32>().unwrap_or(99))
    };
    let (mut hour, minute, second) = (value(0), value(1), value(2));
    if let Some(meridiem) = meridiem {
        if !(1..=12).contains(&hour) {
            return Err(format!("\"{first}\": with am/pm the hour is 1 to 12"));
        }
        hour = match (meridiem, hour) {
            ("am", 12) => 0,
            ("am", hour) => hour,
            ("pm", 12) => 12,
            (_, hour) => hour + 12,
        };
    }
    if hour > 23 {
        return Err(format!("\"{first}\": there is no hour {hour}"));
    }
    if minute > 59 || second > 59 {
        return Err(format!("\"{first}\": minutes and seconds go up to 59"));
    }
    Ok(NaiveTime::from_hms_opt(hour, minute, second).map(|time| (time, used)))
}
