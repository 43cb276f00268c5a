//! Reports: time and billable amounts per project, client, tag, day, week or month.
//!
//! The database does the adding up. The range is cut into buckets (one for per-project
//! reports, one per local day, week or month otherwise, computed here in the user's zone so
//! midnight and DST fall where they should), every entry is clipped to the buckets it
//! overlaps, and SQLite sums the pieces (see `query` for how, and why in three passes). Rounding is
//! applied once per entry, to its whole time inside the report's range, and the time it adds
//! is counted in the bucket where the entry ends; so a report's total is the same whichever
//! way it is grouped.

mod query;
mod render;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use sqlx::sqlite::SqliteConnection;

pub use render::{render_csv, render_json, render_text};

use crate::config::Rounding;
use crate::failure::{Failure, Outcome};
use crate::store::entries::utc;
use crate::store::projects::{Billing, Rate, billing};
use crate::when::Calendar;

/// How a report's lines are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// One line per project (the default).
    Project,
    /// One line per client; projects without one are "(no client)".
    Client,
    /// One line per tag; an entry with two tags counts on both lines.
    Tag,
    /// One line per local day.
    Day,
    /// One line per week (`week_start` in the config).
    Week,
    /// One line per month.
    Month,
}

/// What to report on.
#[derive(Clone, Debug)]
pub struct Request {
    /// First instant (UTC seconds); `None` for the first entry's start.
    pub since: Option<i64>,
    /// End (exclusive); `None` for now.
    pub until: Option<i64>,
    /// Only these projects (ids); empty for all.
    pub projects: Vec<i64>,
    /// Only entries with this tag.
    pub tag: Option<String>,
    /// Grouping.
    pub by: GroupBy,
    /// Per-entry rounding.
    pub rounding: Rounding,
}

/// One line of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// What the line is about: a project, client, tag, or a day's date.
    pub label: String,
    /// The client, on per-project lines.
    pub client: Option<String>,
    /// Entries counted (an entry is counted where it ends).
    pub entries: i64,
    /// Time as recorded.
    pub exact_secs: i64,
    /// Time after rounding: what is billed.
    pub billed_secs: i64,
    /// Amounts per currency, in minor units.
    pub amounts: BTreeMap<String, i64>,
    /// Billed time on projects without a rate.
    pub unrated_secs: i64,
}

impl Line {
    fn add(&mut self, piece: &Piece, rate: Option<&Rate>) {
        self.entries += piece.entries;
        self.exact_secs += piece.exact_secs;
        self.billed_secs += piece.billed_secs;
        match rate {
            Some(rate) => {
                *self.amounts.entry(rate.currency.clone()).or_default() +=
                    amount_cents(piece.billed_secs, rate.cents_per_hour);
            }
            None => self.unrated_secs += piece.billed_secs,
        }
    }
}

/// A finished report.
#[derive(Clone, Debug)]
pub struct Report {
    /// Its first instant.
    pub since: i64,
    /// Its end.
    pub until: i64,
    /// "since Tue 2 Jan 2024 until Sat 21 Nov 2026 17:30".
    pub range_label: String,
    /// What it was limited to ("project1, +design"), if anything.
    pub scope: Option<String>,
    /// Its grouping.
    pub by: GroupBy,
    /// Its rounding.
    pub rounding: Rounding,
    /// The lines, in order (by name, or by date).
    pub lines: Vec<Line>,
    /// Everything added up. For tag reports an entry with several tags counts once here.
    pub total: Line,
    /// Projects with billed time and no rate.
    pub unrated_projects: Vec<String>,
}

/// Clipped and summed time of one project in one bucket (and one tag, for tag reports).
#[derive(Clone, Debug)]
struct Piece {
    bucket: usize,
    project_id: i64,
    tag: Option<String>,
    entries: i64,
    exact_secs: i64,
    billed_secs: i64,
}

/// Runs a report.
pub async fn run(
    conn: &mut SqliteConnection,
    calendar: &Calendar,
    request: &Request,
    labels: (String, Option<String>),
) -> Outcome<Report> {
    let now = calendar.now.timestamp();
    let until = request.until.unwrap_or(now);
    let since = match request.since {
        Some(since) => since,
        None => sqlx::query_scalar::<_, Option<i64>>("SELECT min(start) FROM entries")
            .fetch_one(&mut *conn)
            .await?
            .unwrap_or(until)
            .min(until),
    };
    if until < since {
        return Err(Failure::usage("the report would end before it starts")
            .hint("check the since and until dates"));
    }
    let buckets = buckets(calendar, request.by, since, until);
    let bounds = query::Bounds {
        since,
        until,
        now,
        longest: crate::store::longest_entry_secs(conn).await?,
    };
    let pieces = query::pieces(conn, request, &buckets, bounds).await?;
    // A tag report counts an entry on each of its tags' lines, so its total is summed apart.
    let total_pieces = if request.by == GroupBy::Tag {
        let totals = Request {
            by: GroupBy::Project,
            ..request.clone()
        };
        query::pieces(conn, &totals, &[(since, until)], bounds).await?
    } else {
        pieces.clone()
    };
    let projects: BTreeMap<i64, Billing> = billing(conn)
        .await?
        .into_iter()
        .map(|project| (project.id, project))
        .collect();
    Ok(assemble(
        calendar,
        request,
        &buckets,
        &pieces,
        &total_pieces,
        &projects,
        since,
        until,
        labels,
    ))
}

/// The report's buckets as (start, end) UTC seconds, covering `[since, until)` exactly.
fn buckets(calendar: &Calendar, by: GroupBy, since: i64, until: i64) -> Vec<(i64, i64)> {
    if since >= until {
        return Vec::new();
    }
    let next: fn(&Calendar, NaiveDate) -> NaiveDate = match by {
        GroupBy::Project | GroupBy::Client | GroupBy::Tag => return vec![(since, until)],
        GroupBy::Day => |_, day| day + Duration::days(1),
        GroupBy::Week => |calendar, day| calendar.week_of(day) + Duration::days(7),
        GroupBy::Month => |_, day| Calendar::next_month(day),
    };
    let mut buckets = Vec::new();
    let mut lo = since;
    let mut day = calendar.date_of(utc(since));
    while lo < until {
        day = next(calendar, day);
        let hi = calendar.day_start(day).timestamp().min(until);
        if hi > lo {
            buckets.push((lo, hi));
            lo = hi;
        }
    }
    buckets
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    calendar: &Calendar,
    request: &Request,
    buckets: &[(i64, i64)],
    pieces: &[Piece],
    total_pieces: &[Piece],
    projects: &BTreeMap<i64, Billing>,
    since: i64,
    until: i64,
    (range_label, scope): (String, Option<String>),
) -> Report {
    let mut lines: BTreeMap<(i64, String), Line> = BTreeMap::new();
    let mut unrated = std::collections::BTreeSet::new();
    for piece in pieces {
        let project = projects.get(&piece.project_id);
        let name = project.map_or("?", |project| project.name.as_str());
        let client = project.and_then(|project| project.client.clone());
        // Lines sort by bucket start for dated reports and by name otherwise.
        let (order, label) = match request.by {
            GroupBy::Project => (0, name.to_owned()),
            GroupBy::Client => (
                0,
                client.clone().unwrap_or_else(|| "(no client)".to_owned()),
            ),
            GroupBy::Tag => (
                0,
                piece
                    .tag
                    .as_ref()
                    .map_or_else(|| "(no tag)".to_owned(), |tag| format!("+{tag}")),
            ),
            GroupBy::Day | GroupBy::Week | GroupBy::Month => {
                let start = buckets.get(piece.bucket).map_or(since, |bucket| bucket.0);
                (start, bucket_label(calendar, request.by, start))
            }
        };
        let line = lines
            .entry((order, label.to_lowercase()))
            .or_insert_with(|| Line {
                label,
                client: if request.by == GroupBy::Project {
                    client
                } else {
                    None
                },
                ..Line::default()
            });
        let rate = project.and_then(|project| project.rate.as_ref());
        if rate.is_none() && piece.billed_secs > 0 {
            unrated.insert(name.to_owned());
        }
        line.add(piece, rate);
    }
    let mut total = Line {
        label: "total".to_owned(),
        ..Line::default()
    };
    for piece in total_pieces {
        let rate = projects
            .get(&piece.project_id)
            .and_then(|project| project.rate.as_ref());
        total.add(piece, rate);
    }
    Report {
        since,
        until,
        range_label,
        scope,
        by: request.by,
        rounding: request.rounding,
        lines: lines
            .into_values()
            .filter(|line| line.exact_secs > 0 || line.entries > 0)
            .collect(),
        total,
        unrated_projects: unrated.into_iter().collect(),
    }
}

fn bucket_label(calendar: &Calendar, by: GroupBy, start: i64) -> String {
    let day = calendar.date_of(utc(start));
    match by {
        GroupBy::Week => format!("week of {}", calendar.label_date(calendar.week_of(day))),
        GroupBy::Month => day.format("%B %Y").to_string(),
        _ => calendar.label_date(day),
    }
}

/// `secs` at `cents_per_hour`, rounded half up to a cent.
pub fn amount_cents(secs: i64, cents_per_hour: i64) -> i64 {
    let product = i128::from(secs) * i128::from(cents_per_hour);
    i64::try_from((product + 1800) / 3600).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::amount_cents;

    #[test]
    fn amounts_round_half_up_to_the_cent() {
        assert_eq!(amount_cents(3600, 8500), 8500);
        assert_eq!(amount_cents(900, 8500), 2125);
        // 1 s at 85.00/h is 2.36 cents: rounds to 2.
        assert_eq!(amount_cents(1, 8500), 2);
        assert_eq!(amount_cents(0, 8500), 0);
    }
}
