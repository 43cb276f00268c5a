//! `log`, `add`, `edit`, `delete`.

use std::io::Write;

use chrono::Duration;
use serde_json::json;

use super::tracking::tag_suffix;
use super::{Context, emit, emit_json, parse_id, parse_tags};
use crate::cli::{AddArgs, EditArgs, LogArgs};
use crate::failure::{Failure, Outcome};
use crate::format::{duration, table};
use crate::store::entries::{self, Changes, Entry, Filter, NewEntry, utc};
use crate::store::projects::valid_name;

/// `freelance log [--project] [--since] [--until] [--tag] [--all] [--json]`.
pub async fn log(context: &mut Context, args: LogArgs, out: &mut dyn Write) -> Outcome {
    let since = match (&args.since, args.all) {
        (Some(text), _) => Some(context.calendar.span(text)?.start.timestamp()),
        (None, true) => None,
        (None, false) => {
            let first_day = context.calendar.today() - Duration::days(6);
            Some(context.calendar.day_start(first_day).timestamp())
        }
    };
    let until = match &args.until {
        Some(text) => Some(context.calendar.span(text)?.end.timestamp()),
        None => None,
    };
    let filter = Filter {
        since,
        until,
        project: args.project.clone(),
        tag: args
            .tag
            .as_deref()
            .map(|tag| tag.trim_start_matches('+').to_owned()),
    };
    let now = context.now();
    let store = context.store().await?;
    let listed = entries::list(&mut store.conn, &filter).await?;
    if args.json {
        let rows: Vec<_> = listed.iter().map(|entry| entry_json(entry, now)).collect();
        return emit_json(out, &serde_json::Value::Array(rows));
    }
    if listed.is_empty() {
        return emit(
            out,
            "No entries in this range (freelance log --all shows every entry).\n",
        );
    }
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(|entry| {
            let start = context.calendar.local(utc(entry.start));
            let stop = entry.stop.map_or_else(
                || "running".to_owned(),
                |stop| {
                    let stop = context.calendar.local(utc(stop));
                    // An entry ending on a later day shows that day too.
                    if stop.date_naive() == start.date_naive() {
                        stop.format("%H:%M").to_string()
                    } else {
                        stop.format("%a %-d %b %H:%M").to_string()
                    }
                },
            );
            vec![
                entry.id.to_string(),
                start.format("%a %-d %b %Y").to_string(),
                start.format("%H:%M").to_string(),
                stop,
                duration(entry.seconds(now)),
                entry.project.clone(),
                tag_suffix(entry).trim_start().to_owned(),
                entry.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let text = table(
        &[
            "id", "date", "start", "stop", "time", "project", "tags", "note",
        ],
        &[true, false, false, false, true, false, false, false],
        &rows,
    );
    emit(out, &text)
}

/// An entry for `--json` output and `export`.
pub fn entry_json(entry: &Entry, now: i64) -> serde_json::Value {
    json!({
        "id": entry.id,
        "project": entry.project,
        "start": utc(entry.start).to_rfc3339(),
        "stop": entry.stop.map(|stop| utc(stop).to_rfc3339()),
        "seconds": entry.seconds(now),
        "tags": entry.tag_list(),
        "note": entry.note,
    })
}

/// `freelance add project1 [+tag] --from ... --to ... [--note]`.
pub async fn add(context: &mut Context, args: AddArgs, out: &mut dyn Write) -> Outcome {
    let tags = parse_tags(&args.tags)?;
    valid_name(&args.project, "project")?;
    let from = context.calendar.instant(&args.from)?;
    let to = context.calendar.instant(&args.to)?;
    let to = context.not_future(to, "--to")?;
    let from = from.timestamp();
    if to <= from {
        return Err(Failure::usage(format!(
            "--to ({}) must be after --from ({})",
            context.calendar.label_instant(utc(to)),
            context.calendar.label_instant(utc(from))
        ))
        .hint("for example: freelance add project1 --from 9:00 --to 10:30"));
    }
    let new = NewEntry {
        project: &args.project,
        tags: &tags,
        note: args.note.as_deref(),
        start: from,
        stop: Some(to),
    };
    let calendar = context.calendar.clone();
    let store = context.store().await?;
    let entry = entries::add(&mut store.conn, &calendar, &new).await?;
    let line = format!(
        "Added entry #{}: {}{}, {} to {} ({})\n",
        entry.id,
        entry.project,
        tag_suffix(&entry),
        calendar.label_instant(utc(entry.start)),
        calendar.label_instant(utc(to)),
        duration(to - from)
    );
    emit(out, &line)
}

/// `freelance edit <id> [--start] [--stop] [--project] [--note] [--tag] [--untag]`.
pub async fn edit(context: &mut Context, args: EditArgs, out: &mut dyn Write) -> Outcome {
    let id = parse_id(&args.id)?;
    let as_tags = |names: &[String]| -> Outcome<Vec<String>> {
        let plus: Vec<String> = names
            .iter()
            .map(|name| format!("+{}", name.trim_start_matches('+')))
            .collect();
        parse_tags(&plus)
    };
    let add_tags = as_tags(&args.add_tags)?;
    let remove_tags = as_tags(&args.remove_tags)?;
    if args.start.is_none()
        && args.stop.is_none()
        && args.project.is_none()
        && args.note.is_none()
        && add_tags.is_empty()
        && remove_tags.is_empty()
    {
        return Err(Failure::usage("nothing to change")
            .hint("give --start, --stop, --project, --note, --tag or --untag"));
    }
    if let Some(project) = &args.project {
        valid_name(project, "project")?;
    }
    let calendar = context.calendar.clone();
    let current = {
        let store = context.store().await?;
        entries::find(&mut store.conn, id).await?
    };
    let current = current.ok_or_else(|| {
        Failure::failed(format!("there is no entry #{id}"))
            .hint("freelance log lists entries with their ids")
    })?;
    // A bare time means the entry's own day, not today.
    let day = calendar.date_of(utc(current.start));
    let start = match &args.start {
        Some(text) => Some(context.not_future(calendar.instant_on(text, day)?, "--start")?),
        None => None,
    };
    let stop = match &args.stop {
        Some(text) => Some(context.not_future(calendar.instant_on(text, day)?, "--stop")?),
        None => None,
    };
    let changes = Changes {
        start,
        stop,
        project: args.project.as_deref(),
        note: args.note.as_deref(),
        add_tags: &add_tags,
        remove_tags: &remove_tags,
    };
    let store = context.store().await?;
    let entry = entries::edit(&mut store.conn, &calendar, id, &changes).await?;
    let stop = entry.stop.map_or_else(
        || "now (running)".to_owned(),
        |stop| calendar.label_instant(utc(stop)),
    );
    let line = format!(
        "Entry #{}: {}{}, {} to {}\n",
        entry.id,
        entry.project,
        tag_suffix(&entry),
        calendar.label_instant(utc(entry.start)),
        stop
    );
    emit(out, &line)
}

/// `freelance delete <id>`.
pub async fn delete(context: &mut Context, id: &str, out: &mut dyn Write) -> Outcome {
    let id = parse_id(id)?;
    let calendar = context.calendar.clone();
    let store = context.store().await?;
    let entry = entries::delete(&mut store.conn, id).await?;
    let line = format!(
        "Deleted entry #{}: {}{}, started {}\n",
        entry.id,
        entry.project,
        tag_suffix(&entry),
        calendar.label_instant(utc(entry.start))
    );
    emit(out, &line)
}
