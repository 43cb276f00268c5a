//! `start`, `stop`, `status`, `cancel`, `restart`.

use std::io::Write;

use serde_json::json;

use super::{Context, emit, emit_json, parse_tags};
use crate::cli::{AtArgs, StartArgs, StopArgs};
use crate::config::WhenRunning;
use crate::failure::{Failure, Outcome};
use crate::format::duration;
use crate::store::entries::{self, Entry, NewEntry, utc};
use crate::store::projects::valid_name;

/// `freelance start project1 [+tag ...] [--at 09:15] [--note ...]`.
pub async fn start(context: &mut Context, args: StartArgs, out: &mut dyn Write) -> Outcome {
    let tags = parse_tags(&args.tags)?;
    valid_name(&args.project, "project")?;
    let at = context.past_instant(args.at.as_deref(), "--at")?;
    let when_running = if args.refuse {
        WhenRunning::Refuse
    } else {
        context.config.when_running
    };
    let new = NewEntry {
        project: &args.project,
        tags: &tags,
        note: args.note.as_deref(),
        start: at,
        stop: None,
    };
    let calendar = context.calendar.clone();
    let store = context.store().await?;
    let started = entries::start(&mut store.conn, &calendar, &new, when_running).await?;
    let mut text = String::new();
    if let Some(stopped) = &started.stopped {
        text.push_str(&stopped_line(context, stopped));
    }
    text.push_str(&format!(
        "Started {}{} at {} (entry #{})\n",
        started.entry.project,
        tag_suffix(&started.entry),
        context.calendar.label_instant(utc(started.entry.start)),
        started.entry.id
    ));
    emit(out, &text)
}

/// `freelance stop [project] [--at 17:30]`.
pub async fn stop(context: &mut Context, args: StopArgs, out: &mut dyn Write) -> Outcome {
    let at = context.past_instant(args.at.as_deref(), "--at")?;
    let calendar = context.calendar.clone();
    let store = context.store().await?;
    let stopped = entries::stop(&mut store.conn, &calendar, args.project.as_deref(), at).await?;
    let line = stopped_line(context, &stopped);
    emit(out, &line)
}

/// `freelance cancel`.
pub async fn cancel(context: &mut Context, out: &mut dyn Write) -> Outcome {
    let store = context.store().await?;
    let cancelled = entries::cancel(&mut store.conn).await?;
    let line = format!(
        "Cancelled {}{} (started {}); nothing was recorded\n",
        cancelled.project,
        tag_suffix(&cancelled),
        context.calendar.label_instant(utc(cancelled.start))
    );
    emit(out, &line)
}

/// `freelance restart [--at ...]`: the most recent entry's project and tags again.
pub async fn restart(context: &mut Context, args: AtArgs, out: &mut dyn Write) -> Outcome {
    let latest = {
        let store = context.store().await?;
        entries::latest(&mut store.conn).await?
    };
    let latest = latest.ok_or_else(|| {
        Failure::failed("there is nothing to restart yet").hint("freelance start <project>")
    })?;
    if latest.stop.is_none() {
        return Err(Failure::failed(format!(
            "{} is still running (since {})",
            latest.project,
            context.calendar.label_instant(utc(latest.start))
        ))
        .hint("freelance stop first"));
    }
    let tags = latest
        .tag_list()
        .iter()
        .map(|tag| format!("+{tag}"))
        .collect();
    let args = StartArgs {
        project: latest.project.clone(),
        tags,
        at: args.at,
        note: None,
        refuse: false,
    };
    start(context, args, out).await
}

/// `freelance status [--json]`: the running entry and today's and this week's totals.
pub async fn status(context: &mut Context, json: bool, out: &mut dyn Write) -> Outcome {
    let now = context.now();
    let today = context.calendar.today();
    let day_start = context.calendar.day_start(today).timestamp();
    let week_start = context
        .calendar
        .day_start(context.calendar.week_of(today))
        .timestamp();
    let store = context.store().await?;
    let running = entries::running(&mut store.conn).await?;
    let last = match &running {
        Some(_) => None,
        None => entries::latest(&mut store.conn).await?,
    };
    let today_secs = entries::seconds_between(&mut store.conn, day_start, now, now).await?;
    let week_secs = entries::seconds_between(&mut store.conn, week_start, now, now).await?;
    if json {
        let entry = |entry: &Entry| {
            json!({
                "id": entry.id,
                "project": entry.project,
                "tags": entry.tag_list(),
                "note": entry.note,
                "start": utc(entry.start).to_rfc3339(),
                "stop": entry.stop.map(|stop| utc(stop).to_rfc3339()),
                "seconds": entry.seconds(now),
            })
        };
        let document = json!({
            "running": running.as_ref().map(entry),
            "last": last.as_ref().map(entry),
            "todaySeconds": today_secs,
            "weekSeconds": week_secs,
        });
        return emit_json(out, &document);
    }
    let mut text = match (&running, &last) {
        (Some(entry), _) => format!(
            "Tracking {}{} for {} (since {})\n",
            entry.project,
            tag_suffix(entry),
            duration(entry.seconds(now)),
            context.calendar.label_instant(utc(entry.start))
        ),
        (None, Some(entry)) => format!(
            "Nothing is running. Last: {}{}, {} until {}\n",
            entry.project,
            tag_suffix(entry),
            duration(entry.seconds(now)),
            context
                .calendar
                .label_instant(utc(entry.stop.unwrap_or(now)))
        ),
        (None, None) => {
            "Nothing is running, and nothing is recorded yet: freelance start <project>\n"
                .to_owned()
        }
    };
    text.push_str(&format!(
        "Today {} · this week {}\n",
        duration(today_secs),
        duration(week_secs)
    ));
    emit(out, &text)
}

fn stopped_line(context: &Context, entry: &Entry) -> String {
    format!(
        "Stopped {}{} at {} after {} (entry #{})\n",
        entry.project,
        tag_suffix(entry),
        context
            .calendar
            .label_instant(utc(entry.stop.unwrap_or(entry.start))),
        duration(entry.seconds(entry.start)),
        entry.id
    )
}

/// ` +design +urgent`, or nothing.
pub fn tag_suffix(entry: &Entry) -> String {
    entry
        .tag_list()
        .iter()
        .map(|tag| format!(" +{tag}"))
        .collect()
}
