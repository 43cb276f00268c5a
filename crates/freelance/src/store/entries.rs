//! Time entries: start, stop, add after the fact, edit, delete, list. Every write runs in a
//! `BEGIN IMMEDIATE` transaction, so its checks (what runs, what overlaps) and its write see
//! the same database even with several terminals at work.

use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Connection as _, FromRow, Row as _};

use super::projects::ensure_project;
use crate::config::WhenRunning;
use crate::failure::{Failure, Outcome};
use crate::when::Calendar;

/// An entry as shown: its project's name and its tags resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its id (`freelance edit <id>`).
    pub id: i64,
    /// The project's name.
    pub project: String,
    /// UTC seconds.
    pub start: i64,
    /// UTC seconds; `None` while running.
    pub stop: Option<i64>,
    /// The note, if any.
    pub note: Option<String>,
    /// Space-separated tags, sorted.
    pub tags: Option<String>,
}

impl<'r> FromRow<'r, SqliteRow> for Entry {
    fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            project: row.try_get("project")?,
            start: row.try_get("start")?,
            stop: row.try_get("stop")?,
            note: row.try_get("note")?,
            tags: row.try_get("tags")?,
        })
    }
}

impl Entry {
    /// The tags as a list.
    pub fn tag_list(&self) -> Vec<&str> {
        self.tags
            .as_deref()
            .map(|tags| tags.split(' ').collect())
            .unwrap_or_default()
    }

    /// Seconds, counting a running entry up to `now`.
    pub fn seconds(&self, now: i64) -> i64 {
        self.stop.unwrap_or(now).max(self.start) - self.start
    }
}

/// The running entry, in the form that lets SQLite use `entries_one_running` (a plain
/// `stop IS NULL` scans every entry).
pub const RUNNING: &str = "(e.stop IS NULL) = 1 AND e.stop IS NULL";

const ENTRY_SELECT: &str = "SELECT e.id, p.name AS project, e.start, e.stop, e.note, \
     (SELECT group_concat(tag, ' ') FROM \
         (SELECT tag FROM entry_tags WHERE entry_id = e.id ORDER BY tag)) AS tags \
     FROM entries e JOIN projects p ON p.id = e.project_id";

/// What a new entry holds.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    /// Its project (created if new).
    pub project: &'a str,
    /// Its tags, without the `+`.
    pub tags: &'a [String],
    /// Its note.
    pub note: Option<&'a str>,
    /// UTC seconds.
    pub start: i64,
    /// UTC seconds; `None` starts it running.
    pub stop: Option<i64>,
}

/// What `start` did.
#[derive(Clone, Debug)]
pub struct Started {
    /// The new running entry.
    pub entry: Entry,
    /// The entry it stopped first, if one was running.
    pub stopped: Option<Entry>,
}

/// The running entry, if any.
pub async fn running(conn: &mut SqliteConnection) -> Outcome<Option<Entry>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE {RUNNING}"
    )))
    .fetch_optional(conn)
    .await?)
}

/// One entry by id.
pub async fn find(conn: &mut SqliteConnection, id: i64) -> Outcome<Option<Entry>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE e.id = ?"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The most recently started entry.
pub async fn latest(conn: &mut SqliteConnection) -> Outcome<Option<Entry>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} ORDER BY e.start DESC, e.id DESC LIMIT 1"
    )))
    .fetch_optional(conn)
    .await?)
}

/// Starts an entry, first stopping the running one at the same instant (or refusing, as
/// `when_running` says).
pub async fn start(
    conn: &mut SqliteConnection,
    calendar: &Calendar,
    new: &NewEntry<'_>,
    when_running: WhenRunning,
) -> Outcome<Started> {
    let mut txn = conn.begin_with("BEGIN IMMEDIATE").await?;
    let stopped = match running(&mut txn).await? {
        Some(current) if when_running == WhenRunning::Refuse => {
            return Err(Failure::failed(format!(
                "{} is running (since {}); not starting {}",
                current.project,
                calendar.label_instant(utc(current.start)),
                new.project
            ))
            .hint("freelance stop first, or set when_running = \"stop\" in the config"));
        }
        Some(current) if new.start < current.start => {
            return Err(Failure::failed(format!(
                "cannot start at {}: {} has been running since {}, which is later",
                calendar.label_instant(utc(new.start)),
                current.project,
                calendar.label_instant(utc(current.start)),
            ))
            .hint("pick a later --at, or freelance edit the running entry"));
        }
        Some(current) => {
            sqlx::query("UPDATE entries SET stop = ? WHERE id = ?")
                .bind(new.start)
                .bind(current.id)
                .execute(&mut *txn)
                .await?;
            Some(Entry {
                stop: Some(new.start),
                ..current
            })
        }
        None => None,
    };
    refuse_overlap(&mut txn, calendar, new.start, None, None).await?;
    let id = insert(&mut txn, new, None).await?.ok_or_else(|| {
        Failure::failed("another freelance started tracking at the same moment; nothing changed")
    })?;
    let entry = find(&mut txn, id)
        .await?
        .ok_or_else(|| Failure::failed("the new entry vanished"))?;
    txn.commit().await?;
    Ok(Started { entry, stopped })
}

/// Stops the running entry at `at`. Naming a project that is not the running one is refused.
pub async fn stop(
    conn: &mut SqliteConnection,
    calendar: &Calendar,
    expected_project: Option<&str>,
    at: i64,
) -> Outcome<Entry> {
    let mut txn = conn.begin_with("BEGIN IMMEDIATE").await?;
    let current = running(&mut txn).await?.ok_or_else(nothing_running)?;
    if let Some(expected) = expected_project
        && !expected.trim().eq_ignore_ascii_case(&current.project)
    {
        return Err(Failure::failed(format!(
            "{} is not running; {} is (since {})",
            expected.trim(),
            current.project,
            calendar.label_instant(utc(current.start))
        ))
        .hint("freelance stop without a name stops whatever runs"));
    }
    if at < current.start {
        return Err(Failure::failed(format!(
            "cannot stop at {}: {} started at {}",
            calendar.label_instant(utc(at)),
            current.project,
            calendar.label_instant(utc(current.start))
        ))
        .hint("give a later --at, or freelance cancel to discard the entry"));
    }
    refuse_overlap(
        &mut txn,
        calendar,
        current.start,
        Some(at),
        Some(current.id),
    )
    .await?;
    sqlx::query("UPDATE entries SET stop = ? WHERE id = ?")
        .bind(at)
        .bind(current.id)
        .execute(&mut *txn)
        .await?;
    txn.commit().await?;
    Ok(Entry {
        stop: Some(at),
        ..current
    })
}

/// Discards the running entry.
pub async fn cancel(conn: &mut SqliteConnection) -> Outcome<Entry> {
    let mut txn = conn.begin_with("BEGIN IMMEDIATE").await?;
    let current = running(&mut txn).await?.ok_or_else(nothing_running)?;
    sqlx::query("DELETE FROM entries WHERE id = ?")
        .bind(current.id)
        .execute(&mut *txn)
        .await?;
    txn.commit().await?;
    Ok(current)
}

/// Records a finished entry after the fact.
pub async fn add(
    conn: &mut SqliteConnection,
    calendar: &Calendar,
    new: &NewEntry<'_>,
) -> Outcome<Entry> {
    let mut txn = conn.begin_with("BEGIN IMMEDIATE").await?;
    refuse_overlap(&mut txn, calendar, new.start, new.stop, None).await?;
    let id = insert(&mut txn, new, None)
        .await?
        .ok_or_else(|| Failure::failed("the entry could not be stored"))?;
    let entry = find(&mut txn, id)
        .await?
        .ok_or_else(|| Failure::failed("the new entry vanished"))?;
    txn.commit().await?;
    Ok(entry)
}

/// What `edit` changes; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct Changes<'a> {
    /// New start (UTC seconds).
    pub start: Option<i64>,
    /// New stop (UTC seconds).
    pub stop: Option<i64>,
    /// New project.
    pub project: Option<&'a str>,
    /// New note (empty clears it).
    pub note: Option<&'a str>,
    /// Tags to add.
    pub add_tags: &'a [String],
    /// Tags to remove.
    pub remove_tags: &'a [String],
}

/// Edits an entry, keeping the rules: stop not before start, no overlap, one running.
pub async fn edit(
    conn: &mut SqliteConnection,
    calendar: &Calendar,
    id: i64,
    changes: &Changes<'_>,
) -> Outcome<Entry> {
    let mut txn = conn.begin_with("BEGIN IMMEDIATE").await?;
    let entry = find(&mut txn, id).await?.ok_or_else(|| no_entry(id))?;
    let start = changes.start.unwrap_or(entry.start);
    let stop = changes.stop.or(entry.stop);
    if let Some(stop) = stop
        && stop < start
    {
        return Err(Failure::usage(format!(
            "entry #{id} would stop ({}) before it starts ({})",
            calendar.label_instant(utc(stop)),
            calendar.label_instant(utc(start))
        ))
        .hint("give a later --stop, or both --start and --stop"));
    }
    refuse_overlap(&mut txn, calendar, start, stop, Some(id)).await?;
    let project_id = match changes.project {
        Some(name) => Some(ensure_project(&mut txn, name).await?),
        None => None,
    };
    let note = changes.note.map(str::trim);
    sqlx::query(
        "UPDATE entries SET start = ?, stop = ?, project_id = coalesce(?, project_id), \
         note = CASE WHEN ? THEN nullif(?, '') ELSE note END WHERE id = ?",
    )
    .bind(start)
    .bind(stop)
    .bind(project_id)
    .bind(note.is_some())
    .bind(note)
    .bind(id)
    .execute(&mut *txn)
    .await?;
    for tag in changes.remove_tags {
        sqlx::query("DELETE FROM entry_tags WHERE entry_id = ? AND tag = ?")
            .bind(id)
            .bind(tag)
            .execute(&mut *txn)
            .await?;
    }
    for tag in changes.add_tags {
        sqlx::query("INSERT INTO entry_tags (entry_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(tag)
            .execute(&mut *txn)
            .await?;
    }
    let edited = find(&mut txn, id).await?.ok_or_else(|| no_entry(id))?;
    txn.commit().await?;
    Ok(edited)
}

/// Deletes an entry.
pub async fn delete(conn: &mut SqliteConnection, id: i64) -> Outcome<Entry> {
    let mut txn = conn.begin_with("BEGIN IMMEDIATE").await?;
    let entry = find(&mut txn, id).await?.ok_or_else(|| no_entry(id))?;
    sqlx::query("DELETE FROM entries WHERE id = ?")
        .bind(id)
        .execute(&mut *txn)
        .await?;
    txn.commit().await?;
    Ok(entry)
}

/// Which entries `log` and `export` show.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Entries ending after this (UTC seconds).
    pub since: Option<i64>,
    /// Entries starting before this.
    pub until: Option<i64>,
    /// Only this project's.
    pub project: Option<String>,
    /// Only entries with this tag.
    pub tag: Option<String>,
}

/// Entries overlapping the filter's range, oldest first.
pub async fn list(conn: &mut SqliteConnection, filter: &Filter) -> Outcome<Vec<Entry>> {
    let longest = super::longest_entry_secs(conn).await?;
    let since = filter.since.unwrap_or(i64::MIN);
    let until = filter.until.unwrap_or(i64::MAX);
    let others = "AND (?3 IS NULL OR p.name = ?3) \
         AND (?4 IS NULL OR EXISTS (SELECT 1 FROM entry_tags t WHERE t.entry_id = e.id AND t.tag = ?4))";
    // A finished entry overlapping [since, until) starts at most `longest` before `since`,
    // which bounds the index range on both sides; the running one is looked up apart.
    let mut listed: Vec<Entry> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE e.start >= ?5 AND e.start < ?2 AND e.stop > ?1 {others} \
         ORDER BY e.start, e.id"
    )))
    .bind(since)
    .bind(until)
    .bind(filter.project.as_deref())
    .bind(filter.tag.as_deref())
    .bind(since.saturating_sub(longest))
    .fetch_all(&mut *conn)
    .await?;
    let running: Option<Entry> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE {RUNNING} AND e.start < ?2 {others}"
    )))
    .bind(since)
    .bind(until)
    .bind(filter.project.as_deref())
    .bind(filter.tag.as_deref())
    .fetch_optional(conn)
    .await?;
    // The running entry started after every finished one.
    listed.extend(running);
    Ok(listed)
}

/// Inserts an entry and its tags; `None` when `origin` was imported before (or, for a running
/// entry, when another one runs).
pub async fn insert(
    conn: &mut SqliteConnection,
    new: &NewEntry<'_>,
    origin: Option<&str>,
) -> Outcome<Option<i64>> {
    let project_id = ensure_project(conn, new.project).await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO entries (project_id, start, stop, note, origin) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(project_id)
    .bind(new.start)
    .bind(new.stop)
    .bind(new.note.map(str::trim).filter(|note| !note.is_empty()))
    .bind(origin)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = inserted else {
        return Ok(None);
    };
    for tag in new.tags {
        sqlx::query("INSERT INTO entry_tags (entry_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(id))
}

/// Refuses `[start, stop)` (open-ended when `stop` is `None`) if it overlaps another entry.
async fn refuse_overlap(
    conn: &mut SqliteConnection,
    calendar: &Calendar,
    start: i64,
    stop: Option<i64>,
    except: Option<i64>,
) -> Outcome {
    let longest = super::longest_entry_secs(conn).await?;
    let stop = stop.unwrap_or(i64::MAX);
    let except = except.unwrap_or(0);
    // A finished entry overlaps when it starts before our stop and stops after our start
    // (and so starts at most `longest` before our start); the running one reaches forever.
    let finished: Option<Entry> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE e.start >= ?1 AND e.start < ?3 AND e.stop > ?2 AND e.id <> ?4 \
         ORDER BY e.start LIMIT 1"
    )))
    .bind(start.saturating_sub(longest))
    .bind(start)
    .bind(stop)
    .bind(except)
    .fetch_optional(&mut *conn)
    .await?;
    let clash = match finished {
        Some(entry) => Some(entry),
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ENTRY_SELECT} WHERE {RUNNING} AND e.start < ?1 AND e.id <> ?2"
            )))
            .bind(stop)
            .bind(except)
            .fetch_optional(conn)
            .await?
        }
    };
    match clash {
        None => Ok(()),
        Some(other) => {
            let until = other.stop.map_or_else(
                || "now (running)".to_owned(),
                |stop| calendar.label_instant(utc(stop)),
            );
            Err(Failure::failed(format!(
                "that overlaps entry #{} ({}, {} to {})",
                other.id,
                other.project,
                calendar.label_instant(utc(other.start)),
                until
            ))
            .hint(format!(
                "entries cannot overlap: freelance edit {} or pick other times",
                other.id
            )))
        }
    }
}

fn nothing_running() -> Failure {
    Failure::failed("nothing is running").hint("freelance start <project> starts tracking")
}

fn no_entry(id: i64) -> Failure {
    Failure::failed(format!("there is no entry #{id}"))
        .hint("freelance log lists entries with their ids")
}

/// UTC seconds as a chrono instant (out-of-range values clamp to the epoch).
pub fn utc(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Seconds recorded inside `[from, to)`, counting the running entry up to `now`.
pub async fn seconds_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
    now: i64,
) -> Outcome<i64> {
    let longest = super::longest_entry_secs(conn).await?;
    let finished: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(min(stop, ?2) - max(start, ?1)), 0) FROM entries \
         WHERE start >= ?3 AND start < ?2 AND stop > ?1",
    )
    .bind(from)
    .bind(to)
    .bind(from.saturating_sub(longest))
    .fetch_one(&mut *conn)
    .await?;
    let running: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT coalesce(sum(max(0, min(?3, ?2) - max(e.start, ?1))), 0) FROM entries e \
         WHERE {RUNNING}"
    )))
    .bind(from)
    .bind(to)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(finished + running)
}
