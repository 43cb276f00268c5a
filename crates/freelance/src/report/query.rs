//! The SQL behind reports: each report's pieces are summed in three passes.
//!
//! 1. **Inside**: finished entries lying wholly inside one bucket, by far the most. Their
//!    time is `stop - start`, so SQLite sums plain columns read from a covering index; a
//!    one-bucket report (per project or client) walks `entries_by_project_span` once per
//!    project, which hands rows over already grouped, with no sort.
//! 2. **Crossing**: finished entries that cross a bucket boundary (midnight in a day report,
//!    or the report's own start and end). Few, found by a range lookup around each boundary
//!    and clipped to every bucket they touch.
//! 3. **Running**: the running entry, clipped the same way, up to now.
//!
//! Rounding is per entry, on the entry's time inside the report; the time it adds goes to the
//! bucket where the (clipped) entry ends. An entry wholly inside a bucket ends there.

use sqlx::Row as _;
use sqlx::sqlite::SqliteConnection;

use super::{GroupBy, Piece, Request};
use crate::failure::{Failure, Outcome};

/// The numbers every pass needs: the report's range, the current instant, and the longest
/// finished entry (an entry overlapping an instant starts at most that long before it).
#[derive(Clone, Copy)]
pub struct Bounds {
    pub since: i64,
    pub until: i64,
    pub now: i64,
    pub longest: i64,
}

/// Sums every piece of the report: inside, crossing and running.
pub async fn pieces(
    conn: &mut SqliteConnection,
    request: &Request,
    buckets: &[(i64, i64)],
    bounds: Bounds,
) -> Outcome<Vec<Piece>> {
    if buckets.is_empty() {
        return Ok(Vec::new());
    }
    let mut pieces = Vec::new();
    for sql in [
        inside_sql(request, buckets),
        clipped_sql(request, buckets, bounds, Pass::Crossing),
        clipped_sql(request, buckets, bounds, Pass::Running),
    ] {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(tag) = &request.tag {
            query = query.bind(tag);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        for row in &rows {
            pieces.push(piece(row)?);
        }
    }
    Ok(pieces)
}

fn piece(row: &sqlx::sqlite::SqliteRow) -> Outcome<Piece> {
    let read = || -> Result<Piece, sqlx::Error> {
        Ok(Piece {
            bucket: usize::try_from(row.try_get::<i64, _>(0)?).unwrap_or_default(),
            project_id: row.try_get(1)?,
            tag: row.try_get(2)?,
            entries: row.try_get(3)?,
            exact_secs: row.try_get(4)?,
            billed_secs: row.try_get(5)?,
        })
    };
    read().map_err(Failure::from)
}

/// The filters every pass shares, and the tag column and join of tag reports.
struct Shape {
    tag_column: &'static str,
    tag_join: &'static str,
    filters: String,
}

fn shape(request: &Request) -> Shape {
    let mut filters = String::new();
    if !request.projects.is_empty() {
        filters.push_str(&format!(
            " AND e.project_id IN ({})",
            id_list(&request.projects)
        ));
    }
    if request.tag.is_some() {
        filters.push_str(
            " AND EXISTS (SELECT 1 FROM entry_tags f WHERE f.entry_id = e.id AND f.tag = ?)",
        );
    }
    let (tag_column, tag_join) = if request.by == GroupBy::Tag {
        ("t.tag", "LEFT JOIN entry_tags t ON t.entry_id = e.id")
    } else {
        ("NULL", "")
    };
    Shape {
        tag_column,
        tag_join,
        filters,
    }
}

fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn values(buckets: &[(i64, i64)]) -> String {
    buckets
        .iter()
        .enumerate()
        .map(|(index, (lo, hi))| format!("({index}, {lo}, {hi})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pass 1: entries wholly inside one bucket.
fn inside_sql(request: &Request, buckets: &[(i64, i64)]) -> String {
    let Shape {
        tag_column,
        tag_join,
        filters,
    } = shape(request);
    let billed = request.rounding.sql("e.stop - e.start");
    let sums = format!("count(*), sum(e.stop - e.start), sum({billed})");
    if let [(lo, hi)] = buckets
        && request.by != GroupBy::Tag
    {
        // One bucket: walk the per-project index, already grouped. With no project filter,
        // every project id is listed so SQLite seeks per project instead of sorting.
        let projects = if request.projects.is_empty() {
            "(SELECT id FROM projects)".to_owned()
        } else {
            format!("({})", id_list(&request.projects))
        };
        return format!(
            "SELECT 0, e.project_id, NULL, {sums} FROM entries e INDEXED BY entries_by_project_span \
             WHERE e.project_id IN {projects} AND e.start >= {lo} AND e.start < {hi} \
               AND e.stop <= {hi} {filters} \
             GROUP BY e.project_id"
        );
    }
    format!(
        "WITH buckets(k, lo, hi) AS (VALUES {values}) \
         SELECT b.k, e.project_id, {tag_column}, {sums} \
         FROM buckets b JOIN entries e ON e.start >= b.lo AND e.start < b.hi AND e.stop <= b.hi \
         {tag_join} \
         WHERE e.stop IS NOT NULL {filters} \
         GROUP BY b.k, e.project_id, {tag_column}",
        values = values(buckets)
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Crossing,
    Running,
}

/// Passes 2 and 3: entries clipped to each bucket they overlap.
fn clipped_sql(request: &Request, buckets: &[(i64, i64)], bounds: Bounds, pass: Pass) -> String {
    let Shape {
        tag_column,
        tag_join,
        filters,
    } = shape(request);
    let Bounds {
        since,
        until,
        now,
        longest,
    } = bounds;
    let (stop, which) = match pass {
        // Finished entries crossing a boundary: found around each boundary instant.
        Pass::Crossing => {
            let boundaries: Vec<String> = buckets
                .iter()
                .map(|(lo, _)| format!("({lo})"))
                .chain(buckets.last().map(|(_, hi)| format!("({hi})")))
                .collect();
            (
                "e.stop".to_owned(),
                format!(
                    "e.id IN (WITH boundaries(at) AS (VALUES {}) \
                     SELECT c.id FROM boundaries JOIN entries c \
                     ON c.start >= at - {longest} AND c.start < at AND c.stop > at)",
                    boundaries.join(", ")
                ),
            )
        }
        // The one running entry, through the unique index over running entries (the
        // `(stop IS NULL) = 1` form is what lets SQLite use it).
        Pass::Running => (
            now.to_string(),
            "(e.stop IS NULL) = 1 AND e.stop IS NULL".to_owned(),
        ),
    };
    let whole = format!("(min({stop}, {until}) - max(e.start, {since}))");
    let ends_here = format!("min({stop}, {until}) <= b.hi");
    let rounded = request.rounding.sql(&whole);
    format!(
        "WITH buckets(k, lo, hi) AS (VALUES {values}) \
         SELECT b.k, e.project_id, {tag_column}, \
                sum(CASE WHEN {ends_here} THEN 1 ELSE 0 END), \
                sum(min({stop}, b.hi) - max(e.start, b.lo)), \
                sum(min({stop}, b.hi) - max(e.start, b.lo) \
                    + CASE WHEN {ends_here} THEN {rounded} - {whole} ELSE 0 END) \
         FROM entries e JOIN buckets b ON e.start < b.hi AND {stop} > b.lo \
         {tag_join} \
         WHERE {which} {filters} \
         GROUP BY b.k, e.project_id, {tag_column}",
        values = values(buckets)
    )
}
