//! `export --json|--csv` and `import --from watson <frames>`.

use std::collections::HashMap;
use std::io::Write;

use futures_util::TryStreamExt as _;
use serde::Deserialize;
use sqlx::Connection as _;

use super::entries::entry_json;
use super::{Context, emit};
use crate::cli::{ExportArgs, ImportArgs, ImportSource};
use crate::failure::{Failure, Outcome};
use crate::format::csv_record;
use crate::store::entries::{Entry, utc};
use crate::store::projects::{ensure_project, valid_name};

/// `freelance export [--json|--csv] [--since] [--until]`, streamed: the whole history never
/// sits in memory.
pub async fn export(context: &mut Context, args: ExportArgs, out: &mut dyn Write) -> Outcome {
    let since = match &args.since {
        Some(text) => context.calendar.span(text)?.start.timestamp(),
        None => i64::MIN,
    };
    let until = match &args.until {
        Some(text) => context.calendar.span(text)?.end.timestamp(),
        None => i64::MAX,
    };
    let now = context.now();
    let csv = args.csv;
    let store = context.store().await?;
    let mut rows = sqlx::query_as::<_, Entry>(
        "SELECT e.id, p.name AS project, e.start, e.stop, e.note, \
            (SELECT group_concat(tag, ' ') FROM \
                (SELECT tag FROM entry_tags WHERE entry_id = e.id ORDER BY tag)) AS tags \
         FROM entries e JOIN projects p ON p.id = e.project_id \
         WHERE e.start < ?2 AND coalesce(e.stop, ?3) > ?1 ORDER BY e.start, e.id",
    )
    .bind(since)
    .bind(until)
    .bind(now)
    .fetch(&mut store.conn);
    let mut buffer = std::io::BufWriter::new(out);
    let write = |buffer: &mut std::io::BufWriter<&mut dyn Write>, text: &str| -> Outcome {
        buffer
            .write_all(text.as_bytes())
            .map_err(|error| Failure::failed(format!("cannot write the export: {error}")))
    };
    write(
        &mut buffer,
        if csv {
            "id,project,start,stop,seconds,tags,note\n"
        } else {
            "["
        },
    )?;
    let mut first = true;
    while let Some(entry) = rows.try_next().await? {
        let line = if csv {
            csv_record(&[
                entry.id.to_string(),
                entry.project.clone(),
                utc(entry.start).to_rfc3339(),
                entry
                    .stop
                    .map(|stop| utc(stop).to_rfc3339())
                    .unwrap_or_default(),
                entry.seconds(now).to_string(),
                entry.tags.clone().unwrap_or_default(),
                entry.note.clone().unwrap_or_default(),
            ]) + "\n"
        } else {
            let separator = if first { "\n  " } else { ",\n  " };
            format!("{separator}{}", entry_json(&entry, now))
        };
        first = false;
        write(&mut buffer, &line)?;
    }
    if !csv {
        write(&mut buffer, if first { "]\n" } else { "\n]\n" })?;
    }
    buffer
        .flush()
        .map_err(|error| Failure::failed(format!("cannot write the export: {error}")))
}

/// One Watson frame: `[start, stop, project, id, tags, updated_at]` (times in seconds).
#[derive(Debug, Deserialize)]
struct WatsonFrame(
    f64,
    f64,
    String,
    String,
    #[serde(default)] Vec<String>,
    // `updated_at`: read so that six-element frames parse, not used.
    #[expect(dead_code, reason = "present in the format, not needed")]
    #[serde(default)]
    Option<serde::de::IgnoredAny>,
);

/// What an import did.
#[derive(Debug, Default)]
struct Imported {
    added: u64,
    already: u64,
    skipped: Vec<String>,
}

/// `freelance import --from watson <frames file>`: all or nothing, and importing the same
/// file again adds nothing (each frame's id is remembered).
pub async fn import(context: &mut Context, args: ImportArgs, out: &mut dyn Write) -> Outcome {
    let ImportSource::Watson = args.from;
    let text = std::fs::read_to_string(&args.file).map_err(|error| {
        Failure::failed(format!("cannot read {}: {error}", args.file.display()))
            .hint("Watson keeps its frames at ~/.config/watson/frames")
    })?;
    let frames: Vec<WatsonFrame> = serde_json::from_str(&text).map_err(|error| {
        Failure::usage(format!("{} is not a Watson frames file: {error}", args.file.display()))
            .hint("Watson keeps it at ~/.config/watson/frames (a JSON list of [start, stop, project, id, tags, updated])")
    })?;
    drop(text);
    let store = context.store().await?;
    let mut txn = store.conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut projects: HashMap<String, i64> = HashMap::new();
    let mut imported = Imported::default();
    let mut batch: Vec<(i64, i64, i64, String, Vec<String>)> = Vec::new();
    for (index, frame) in frames.into_iter().enumerate() {
        let WatsonFrame(start, stop, project, id, tags, _) = frame;
        let (start, stop) = (start.round() as i64, stop.round() as i64);
        if stop < start || valid_name(&project, "project").is_err() {
            imported.skipped.push(format!(
                "frame {} ({id}): bad times or project name",
                index + 1
            ));
            continue;
        }
        let project_id = match projects.get(&project) {
            Some(id) => *id,
            None => {
                let project_id = ensure_project(&mut txn, &project).await?;
                projects.insert(project.clone(), project_id);
                project_id
            }
        };
        let tags = tags
            .into_iter()
            .filter(|tag| !tag.trim().is_empty())
            .collect();
        batch.push((project_id, start, stop, format!("watson:{id}"), tags));
        if batch.len() == 150 {
            insert_batch(&mut txn, &mut batch, &mut imported).await?;
        }
    }
    insert_batch(&mut txn, &mut batch, &mut imported).await?;
    txn.commit().await?;
    // A big import leaves a WAL as large as the data; fold it into the file now rather than
    // make every later command read through it.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut store.conn)
        .await?;
    let mut text = format!(
        "Imported {} entries from {} ({} projects); {} were imported before\n",
        imported.added,
        args.file.display(),
        projects.len(),
        imported.already
    );
    for skipped in imported.skipped.iter().take(10) {
        text.push_str(&format!("skipped {skipped}\n"));
    }
    if imported.skipped.len() > 10 {
        text.push_str(&format!(
            "... and {} more skipped\n",
            imported.skipped.len() - 10
        ));
    }
    text.push_str("freelance doctor checks the result for overlapping entries\n");
    emit(out, &text)
}

/// Inserts up to 150 frames in one statement (5 parameters each, under SQLite's limit), then
/// their tags.
async fn insert_batch(
    conn: &mut sqlx::SqliteConnection,
    batch: &mut Vec<(i64, i64, i64, String, Vec<String>)>,
    imported: &mut Imported,
) -> Outcome {
    if batch.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["(?, ?, ?, NULL, ?)"; batch.len()].join(", ");
    let sql = format!(
        "INSERT INTO entries (project_id, start, stop, note, origin) VALUES {placeholders} \
         ON CONFLICT DO NOTHING RETURNING id, origin"
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
    for (project_id, start, stop, origin, _) in batch.iter() {
        query = query.bind(project_id).bind(start).bind(stop).bind(origin);
    }
    let inserted: HashMap<String, i64> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, origin)| (origin, id))
        .collect();
    imported.added += inserted.len() as u64;
    imported.already += (batch.len() - inserted.len()) as u64;
    let tags: Vec<(i64, &String)> = batch
        .iter()
        .filter_map(|(_, _, _, origin, tags)| inserted.get(origin).map(|id| (*id, tags)))
        .flat_map(|(id, tags)| tags.iter().map(move |tag| (id, tag)))
        .collect();
    for chunk in tags.chunks(400) {
        let placeholders = vec!["(?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO entry_tags (entry_id, tag) VALUES {placeholders} ON CONFLICT DO NOTHING"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, tag) in chunk {
            query = query.bind(id).bind(tag.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    batch.clear();
    Ok(())
}
