//! `config` and `doctor`.

use std::io::Write;

use sqlx::Row as _;

use super::{Context, emit};
use crate::failure::{Failure, Outcome};
use crate::format::duration;
use crate::store::entries::utc;

/// `freelance config`: the settings in effect and the files' locations.
pub fn show(context: &mut Context, out: &mut dyn Write) -> Outcome {
    let config = &context.config;
    let rounding = config.rounding;
    let text = format!(
        "database      {}\nconfig file   {}{}\nhistory       {}\n\n\
         date_order    {} ({}; 1/2/24 is {})\nweek_start    {}\ntimezone      {}{}\n\
         currency      {}\nwhen_running  {}\nrounding      {}\n",
        context.paths.database.display(),
        context.paths.config.display(),
        if context.paths.config.exists() {
            ""
        } else {
            " (not present: defaults)"
        },
        context.paths.history.display(),
        setting(&config.date_order),
        config.date_order.describe(),
        context
            .calendar
            .span("1/2/24")
            .map(|span| span.label)
            .unwrap_or_default(),
        setting(&config.week_start),
        context.calendar.zone.name(),
        if config.timezone.is_empty() {
            " (the system's)"
        } else {
            ""
        },
        config.currency,
        setting(&config.when_running),
        rounding.describe(),
    );
    emit(out, &text)
}

/// A setting's value as the config file spells it.
fn setting(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `freelance doctor`: integrity, overlaps, and entries that look like a forgotten stop.
/// Exits 1 when it finds something, so scripts can check.
pub async fn doctor(context: &mut Context, out: &mut dyn Write) -> Outcome {
    let now = context.now();
    let calendar = context.calendar.clone();
    let store = context.store().await?;
    let mut findings: Vec<String> = Vec::new();
    let integrity: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut store.conn)
        .await?;
    if integrity != "ok" {
        findings.push(format!("the database file is damaged: {integrity}"));
    }
    // Every entry that starts before an earlier-starting entry has stopped.
    let overlaps = sqlx::query(
        "SELECT id, start FROM ( \
             SELECT id, start, max(coalesce(stop, ?1)) OVER win AS reach \
             FROM entries WINDOW win AS (ORDER BY start, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) \
         WHERE start < reach ORDER BY start LIMIT 101",
    )
    .bind(now)
    .fetch_all(&mut store.conn)
    .await?;
    for row in overlaps.iter().take(100) {
        let id: i64 = row.try_get(0)?;
        let start: i64 = row.try_get(1)?;
        findings.push(format!(
            "entry #{id} (starting {}) overlaps an earlier entry (freelance log --since \"{}\" shows them)",
            calendar.label_instant(utc(start)),
            calendar.date_of(utc(start)).format("%Y-%m-%d")
        ));
    }
    if overlaps.len() > 100 {
        findings.push("... and more overlaps".to_owned());
    }
    let long = sqlx::query("SELECT id, start, coalesce(stop, ?1) - start FROM entries WHERE coalesce(stop, ?1) - start > 86400 ORDER BY start LIMIT 20")
        .bind(now)
        .fetch_all(&mut store.conn)
        .await?;
    for row in &long {
        let (id, start, secs): (i64, i64, i64) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        findings.push(format!(
            "entry #{id} (starting {}) lasts {}: a forgotten stop? (freelance edit {id} --stop ...)",
            calendar.label_instant(utc(start)),
            duration(secs)
        ));
    }
    let future: i64 = sqlx::query_scalar("SELECT count(*) FROM entries WHERE start > ?1 + 60")
        .bind(now)
        .fetch_one(&mut store.conn)
        .await?;
    if future > 0 {
        findings.push(format!(
            "{future} entries start in the future (a wrong clock or date?)"
        ));
    }
    if findings.is_empty() {
        return emit(out, "No problems found.\n");
    }
    let mut text = findings.join("\n");
    text.push('\n');
    emit(out, &text)?;
    let count = findings.len();
    Err(Failure::failed(format!(
        "{count} problem{} found",
        if count == 1 { "" } else { "s" }
    ))
    .hint("each line above says what to look at; freelance edit and delete fix entries"))
}
