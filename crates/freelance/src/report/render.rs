//! A report as a text table, JSON or CSV.

use serde_json::{Value, json};

use super::{GroupBy, Line, Report};
use crate::format::{amounts, csv_record, duration, hours, money, table};
use crate::store::entries::utc;

/// The report as a table for people.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let scope = report
        .scope
        .as_ref()
        .map(|scope| format!(" for {scope}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "Report{scope}: {} ({})\n\n",
        report.range_label,
        report.rounding.describe()
    ));
    if report.lines.is_empty() {
        out.push_str("No time recorded in this range.\n");
        return out;
    }
    let rounded = report.rounding.minutes > 0;
    let mut header = vec![group_name(report.by)];
    let mut right = vec![false];
    if report.by == GroupBy::Project {
        header.push("client");
        right.push(false);
    }
    header.push("entries");
    right.push(true);
    header.push("time");
    right.push(true);
    if rounded {
        header.push("billed");
        right.push(true);
    }
    header.push("amount");
    right.push(true);
    let row = |line: &Line| -> Vec<String> {
        let mut cells = vec![line.label.clone()];
        if report.by == GroupBy::Project {
            cells.push(line.client.clone().unwrap_or_default());
        }
        cells.push(line.entries.to_string());
        cells.push(duration(line.exact_secs));
        if rounded {
            cells.push(duration(line.billed_secs));
        }
        cells.push(amount_cell(line));
        cells
    };
    let mut rows: Vec<Vec<String>> = report.lines.iter().map(row).collect();
    rows.push(row(&report.total));
    out.push_str(&table(&header, &right, &rows));
    if report.by == GroupBy::Tag {
        out.push_str(
            "\nAn entry with several tags is on each of their lines and once in the total.\n",
        );
    }
    if !report.unrated_projects.is_empty() {
        out.push_str(&format!(
            "\nNo rate for: {}. Set one with: freelance rate set <project|client> 85 EUR/h\n",
            report.unrated_projects.join(", ")
        ));
    }
    out
}

fn amount_cell(line: &Line) -> String {
    let mut cell = amounts(&line.amounts);
    if cell.is_empty() {
        return "no rate".to_owned();
    }
    if line.unrated_secs > 0 {
        cell.push_str(&format!(
            " + {} without a rate",
            duration(line.unrated_secs)
        ));
    }
    cell
}

fn group_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Project => "project",
        GroupBy::Client => "client",
        GroupBy::Tag => "tag",
        GroupBy::Day => "day",
        GroupBy::Week => "week",
        GroupBy::Month => "month",
    }
}

fn line_json(line: &Line) -> Value {
    json!({
        "label": line.label,
        "client": line.client,
        "entries": line.entries,
        "seconds": line.exact_secs,
        "billedSeconds": line.billed_secs,
        "billedHours": hours(line.billed_secs),
        "amounts": line.amounts.iter().map(|(currency, cents)| json!({
            "currency": currency,
            "amount": money(*cents),
            "cents": cents,
        })).collect::<Vec<_>>(),
        "unratedSeconds": line.unrated_secs,
    })
}

/// The report as one JSON document.
pub fn render_json(report: &Report) -> String {
    let document = json!({
        "since": utc(report.since).to_rfc3339(),
        "until": utc(report.until).to_rfc3339(),
        "range": report.range_label,
        "scope": report.scope,
        "by": report.by,
        "rounding": {"minutes": report.rounding.minutes, "mode": report.rounding.mode},
        "lines": report.lines.iter().map(line_json).collect::<Vec<_>>(),
        "total": line_json(&report.total),
        "unratedProjects": report.unrated_projects,
    });
    format!("{document:#}\n")
}

/// The report as CSV: one record per line and one for the total.
pub fn render_csv(report: &Report) -> String {
    let mut out = csv_record(&[
        group_name(report.by),
        "client",
        "entries",
        "seconds",
        "billed_seconds",
        "billed_hours",
        "amounts",
    ]);
    out.push('\n');
    for line in report.lines.iter().chain([&report.total]) {
        out.push_str(&csv_record(&[
            line.label.clone(),
            line.client.clone().unwrap_or_default(),
            line.entries.to_string(),
            line.exact_secs.to_string(),
            line.billed_secs.to_string(),
            hours(line.billed_secs),
            amounts(&line.amounts),
        ]));
        out.push('\n');
    }
    out
}
