//! `groundwork shortener seed`: many anonymous links with random codes, for benchmarks.
//! Writes the codes, one per line, to a file if asked (the benchmark requests them and
//! builds nginx's map from them). Run it on a freshly migrated database.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use groundwork_platform::ApiError;
use groundwork_platform::db::begin_write;
use groundwork_platform::db::bulk::{analyze, insert_all};
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use std::collections::HashSet;

use crate::code;
use crate::entities::links;

/// Rows per transaction: keeps memory flat for millions of links.
const CHUNK: usize = 100_000;

/// Seeds `count` links to `https://example.com/landing/<n>` with random codes of
/// `code_length`; writes the codes to `codes_out` when given.
pub async fn run(
    db: &DatabaseConnection,
    count: usize,
    code_length: usize,
    codes_out: Option<&Path>,
) -> Result<(), ApiError> {
    if links::Entity::find().count(db).await? > 0 {
        return Err(ApiError::conflict(
            "not_empty",
            "the database already has links; seed a freshly migrated database",
        ));
    }
    let mut out = match codes_out {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| ApiError::internal(e.to_string()))?,
        )),
        None => None,
    };
    let mut seen = HashSet::with_capacity(count);
    let now = Utc::now();
    let mut written = 0;
    while written < count {
        let size = CHUNK.min(count - written);
        let mut rows = Vec::with_capacity(size);
        while rows.len() < size {
            let code =
                code::generate(code_length).map_err(|e| ApiError::internal(e.to_string()))?;
            if code::is_reserved(&code) || !seen.insert(code.clone()) {
                continue;
            }
            if let Some(out) = out.as_mut() {
                writeln!(out, "{code}").map_err(|e| ApiError::internal(e.to_string()))?;
            }
            rows.push(links::ActiveModel {
                code: Set(code),
                url: Set(format!(
                    "https://example.com/landing/{}",
                    written + rows.len()
                )),
                owner_id: Set(None),
                redirect_status: Set(302),
                expires_at: Set(None),
                max_clicks: Set(None),
                enabled: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        let txn = begin_write(db).await?;
        insert_all(&txn, rows).await?;
        txn.commit().await?;
        written += size;
    }
    if let Some(mut out) = out {
        out.flush().map_err(|e| ApiError::internal(e.to_string()))?;
    }
    analyze(db).await?;
    Ok(())
}
