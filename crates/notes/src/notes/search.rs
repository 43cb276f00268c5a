//! Full-text search over titles and text, per backend: FTS5 on SQLite (porter stemming,
//! accents folded, BM25 ranking with titles weighted 10:1), `tsvector` on PostgreSQL
//! (English stemming, title weight A over text weight B, `ts_rank`). The query is reduced
//! to its words before it reaches either engine: every word must match, as a prefix
//! ("merm" finds "mermaid"), and no query syntax of either engine can be injected.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use uuid::Uuid;

/// Words of a query that are searched for.
const MAX_QUERY_WORDS: usize = 16;

/// Text beyond this is not indexed (PostgreSQL caps a `tsvector` at 1 MB).
const MAX_INDEXED_BYTES: usize = 256 * 1024;

/// The words of a search query (letters and digits), at most [`MAX_QUERY_WORDS`].
pub fn query_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_QUERY_WORDS)
        .map(str::to_lowercase)
        .collect()
}

fn indexed(body: &str) -> &str {
    if body.len() <= MAX_INDEXED_BYTES {
        return body;
    }
    let mut end = MAX_INDEXED_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// The next free row of the SQLite index; call inside the write transaction.
pub async fn next_rowid(db: &impl ConnectionTrait) -> Result<Option<i64>, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COALESCE(MAX(search_rowid), 0) + 1 AS next FROM notes_notes",
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get::<i64>("", "next")?),
        None => Some(1),
    })
}

/// (Re)indexes a note.
pub async fn index(
    db: &impl ConnectionTrait,
    id: Uuid,
    rowid: Option<i64>,
    title: &str,
    body: &str,
) -> Result<(), DbErr> {
    let body = indexed(body);
    match (db.get_database_backend(), rowid) {
        (DbBackend::Postgres, _) => {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE notes_notes SET search = setweight(to_tsvector('english', $1), 'A') \
                 || setweight(to_tsvector('english', $2), 'B') WHERE id = $3",
                [title.into(), body.into(), id.into()],
            ))
            .await?;
        }
        (backend, Some(rowid)) => {
            unindex(db, Some(rowid)).await?;
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO notes_search (rowid, title, body) VALUES (?, ?, ?)",
                [rowid.into(), title.into(), body.into()],
            ))
            .await?;
        }
        (_, None) => {}
    }
    Ok(())
}

/// Removes a note from the SQLite index (PostgreSQL's goes with the row).
pub async fn unindex(db: &impl ConnectionTrait, rowid: Option<i64>) -> Result<(), DbErr> {
    if let (DbBackend::Sqlite, Some(rowid)) = (db.get_database_backend(), rowid) {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "DELETE FROM notes_search WHERE rowid = ?",
            [rowid.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The statements for one page of an owner's notes matching `words`, best first, and
/// for their count.
pub fn search_statements(
    backend: DbBackend,
    owner: Uuid,
    words: &[String],
    limit: u64,
    offset: u64,
) -> (Statement, Statement) {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    if backend == DbBackend::Postgres {
        let query: Value = words
            .iter()
            .map(|word| format!("{word}:*"))
            .collect::<Vec<_>>()
            .join(" & ")
            .into();
        let filter = "FROM notes_notes WHERE owner_id = $1 AND search @@ to_tsquery('english', $2)";
        let page = Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT * {filter} ORDER BY ts_rank(search, to_tsquery('english', $2)) DESC, \
                 updated_at DESC, id DESC LIMIT $3 OFFSET $4"
            ),
            [owner.into(), query.clone(), limit.into(), offset.into()],
        );
        let count = Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS total {filter}"),
            [owner.into(), query],
        );
        return (page, count);
    }
    let query: Value = words
        .iter()
        .map(|word| format!("\"{word}\"*"))
        .collect::<Vec<_>>()
        .join(" AND ")
        .into();
    let filter = "FROM notes_search JOIN notes_notes n ON n.search_rowid = notes_search.rowid \
                  WHERE notes_search MATCH ? AND n.owner_id = ?";
    let page = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT n.* {filter} ORDER BY bm25(notes_search, 10.0, 1.0), n.updated_at DESC, \
             n.id DESC LIMIT ? OFFSET ?"
        ),
        [query.clone(), owner.into(), limit.into(), offset.into()],
    );
    let count = Statement::from_sql_and_values(
        backend,
        format!("SELECT COUNT(*) AS total {filter}"),
        [query, owner.into()],
    );
    (page, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_reduced_to_words() {
        assert_eq!(
            query_words(r#"Rust "OR" x:* -café's (NEAR"#),
            ["rust", "or", "x", "café", "s", "near"]
        );
        assert!(query_words("*** !!").is_empty());
    }
}
