//! Writing a batch: one transaction of multi-row upserts that add to the stored counts,
//! and the daily salts that turn addresses into visitor ids.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, Set,
    Statement, Value,
};
use sha2::{Digest, Sha256};

use super::Batch;
use crate::entities::{links, salts};

/// Rows per statement: far below SQLite's and PostgreSQL's bind-parameter limits, and
/// small enough that building one does not hold a request thread for long.
const ROWS_PER_STATEMENT: usize = 500;

/// The salts this process has read, by day.
#[derive(Default)]
pub(super) struct Salts {
    known: Mutex<HashMap<NaiveDate, [u8; 32]>>,
}

impl Salts {
    fn cached(&self, day: NaiveDate) -> Option<[u8; 32]> {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&day)
            .copied()
    }

    /// The salt of `day`, created (randomly, once for all instances) if it is missing.
    /// Salts older than yesterday are deleted then: visitor ids of those days can no longer
    /// be recomputed from an address.
    async fn for_day(&self, db: &impl ConnectionTrait, day: NaiveDate) -> Result<[u8; 32], DbErr> {
        if let Some(salt) = self.cached(day) {
            return Ok(salt);
        }
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| DbErr::Custom(format!("no randomness: {e}")))?;
        salts::Entity::insert(salts::ActiveModel {
            day: Set(day),
            salt: Set(groundwork_platform::hex::encode(&fresh)),
        })
        .on_conflict(
            OnConflict::column(salts::Column::Day)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        let stored = salts::Entity::find_by_id(day)
            .one(db)
            .await?
            .and_then(|row| unhex(&row.salt))
            .ok_or_else(|| DbErr::Custom(format!("the salt of {day} is missing or corrupt")))?;
        let keep_from = Utc::now().date_naive() - Days::new(1);
        salts::Entity::delete_many()
            .filter(salts::Column::Day.lt(keep_from))
            .exec(db)
            .await?;
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        known.retain(|d, _| *d >= keep_from);
        known.insert(day, stored);
        Ok(stored)
    }
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// 64 bits of SHA-256(salt, address, user agent): the same on every instance.
fn visitor_id(salt: &[u8; 32], ip: IpAddr, user_agent: Option<&str>) -> i64 {
    let address = match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    };
    let digest = Sha256::new()
        .chain_update(salt)
        .chain_update(address)
        // A marker byte keeps "no header" apart from an empty one.
        .chain_update(user_agent.map_or(&[0u8][..], |_| &[1u8][..]))
        .chain_update(user_agent.unwrap_or(""))
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(first)
}

/// One multi-row upsert: `INSERT INTO table (columns) VALUES (...), ... ON CONFLICT (key)
/// DO UPDATE SET count = table.count + excluded.count` (or `DO NOTHING` without a count
/// column). Written as SQL rather than through entities: a flush may write tens of
/// thousands of rows a second, and building them as active models cost more than the
/// database's own work. The same text runs on SQLite and PostgreSQL but for placeholders.
struct Upsert {
    table: &'static str,
    columns: &'static [&'static str],
    key: &'static [&'static str],
    /// The column to add to on conflict; `None` keeps the stored row.
    count: Option<&'static str>,
}

impl Upsert {
    async fn run(&self, db: &impl ConnectionTrait, rows: &[Vec<Value>]) -> Result<(), DbErr> {
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = format!(
                "INSERT INTO \"{}\" (\"{}\") VALUES ",
                self.table,
                self.columns.join("\", \"")
            );
            let mut values = Vec::with_capacity(chunk.len() * self.columns.len());
            for (row_index, row) in chunk.iter().enumerate() {
                sql.push_str(if row_index == 0 { "(" } else { ", (" });
                for (column_index, value) in row.iter().enumerate() {
                    if column_index > 0 {
                        sql.push_str(", ");
                    }
                    values.push(value.clone());
                    if postgres {
                        sql.push_str(&format!("${}", values.len()));
                    } else {
                        sql.push('?');
                    }
                }
                sql.push(')');
            }
            sql.push_str(&format!(" ON CONFLICT (\"{}\") ", self.key.join("\", \"")));
            match self.count {
                Some(column) => sql.push_str(&format!(
                    "DO UPDATE SET \"{column}\" = \"{table}\".\"{column}\" + excluded.\"{column}\"",
                    table = self.table
                )),
                None => sql.push_str("DO NOTHING"),
            }
            db.execute_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                sql,
                values,
            ))
            .await?;
            // Building the next statement is CPU work on a request thread: let waiting
            // requests run first.
            tokio::task::yield_now().await;
        }
        Ok(())
    }
}

const HOURLY: Upsert = Upsert {
    table: "shortener_clicks_hourly",
    columns: &["link_id", "hour", "clicks"],
    key: &["link_id", "hour"],
    count: Some("clicks"),
};
const REFERRERS: Upsert = Upsert {
    table: "shortener_referrers_daily",
    columns: &["link_id", "day", "referrer", "clicks"],
    key: &["link_id", "day", "referrer"],
    count: Some("clicks"),
};
const AGENTS: Upsert = Upsert {
    table: "shortener_agents_daily",
    columns: &["link_id", "day", "browser", "os", "bot", "clicks"],
    key: &["link_id", "day", "browser", "os", "bot"],
    count: Some("clicks"),
};
const VISITORS: Upsert = Upsert {
    table: "shortener_visitors_daily",
    columns: &["link_id", "day", "visitor"],
    key: &["link_id", "day", "visitor"],
    count: None,
};

/// Writes `batch` in one transaction. Clicks of links deleted meanwhile are dropped.
pub(super) async fn write(
    db: &sea_orm::DatabaseConnection,
    salts: &Salts,
    batch: &Batch,
) -> Result<(), DbErr> {
    let tx = groundwork_platform::db::begin_write(db).await?;
    let wanted: BTreeSet<i64> = batch
        .hourly
        .keys()
        .map(|(link, _)| *link)
        .chain(batch.visits.keys().map(|visit| visit.link_id))
        .collect();
    let live = existing_links(&tx, &wanted).await?;

    let hourly: Vec<Vec<Value>> = batch
        .hourly
        .iter()
        .filter(|((link, _), _)| live.contains(link))
        .filter_map(|((link, hour), n)| {
            let start = DateTime::<Utc>::from_timestamp(hour * 3600, 0)?;
            Some(vec![(*link).into(), start.into(), (*n).into()])
        })
        .collect();
    HOURLY.run(&tx, &hourly).await?;

    if batch.visits.is_empty() {
        return tx.commit().await;
    }
    let referrers: Vec<Vec<Value>> = batch
        .referrers()
        .into_iter()
        .filter(|((link, _, _), _)| live.contains(link))
        .map(|((link, day, name), n)| vec![link.into(), day.into(), name.into(), n.into()])
        .collect();
    REFERRERS.run(&tx, &referrers).await?;

    let agents: Vec<Vec<Value>> = batch
        .agents()
        .into_iter()
        .filter(|((link, _, _), _)| live.contains(link))
        .map(|((link, day, agent), n)| {
            vec![
                link.into(),
                day.into(),
                agent.browser.into(),
                agent.os.into(),
                agent.bot.into(),
                n.into(),
            ]
        })
        .collect();
    AGENTS.run(&tx, &agents).await?;

    let mut visitors = HashSet::new();
    for (link, day, ip, user_agent) in batch.visitors() {
        if live.contains(&link) {
            let salt = salts.for_day(&tx, day).await?;
            visitors.insert((link, day, visitor_id(&salt, ip, user_agent)));
        }
    }
    let visitors: Vec<Vec<Value>> = visitors
        .into_iter()
        .map(|(link, day, visitor)| vec![link.into(), day.into(), visitor.into()])
        .collect();
    VISITORS.run(&tx, &visitors).await?;
    tx.commit().await
}

/// Which of `ids` still exist (a link may be deleted between its click and the flush).
/// Almost always all of them: a count per chunk answers that with one row, where listing
/// the ids would stream every one of them back from the database.
async fn existing_links(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<i64>,
) -> Result<HashSet<i64>, DbErr> {
    let ids: Vec<i64> = ids.iter().copied().collect();
    let mut live = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(ROWS_PER_STATEMENT * 10) {
        let in_chunk = || links::Column::Id.is_in(chunk.iter().copied());
        let count: Option<i64> = links::Entity::find()
            .select_only()
            .column_as(links::Column::Id.count(), "count")
            .filter(in_chunk())
            .into_tuple()
            .one(db)
            .await?;
        if usize::try_from(count.unwrap_or(0)).ok() == Some(chunk.len()) {
            live.extend(chunk);
            continue;
        }
        let found: Vec<i64> = links::Entity::find()
            .select_only()
            .column(links::Column::Id)
            .filter(in_chunk())
            .into_tuple()
            .all(db)
            .await?;
        live.extend(found);
    }
    Ok(live)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_survive_hex() {
        let salt: [u8; 32] = std::array::from_fn(|i| (i * 7) as u8);
        assert_eq!(unhex(&groundwork_platform::hex::encode(&salt)), Some(salt));
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn visitor_ids_depend_on_salt_address_and_agent() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let other: IpAddr = "203.0.113.10".parse().unwrap();
        let ua = Some("curl/8");
        assert_eq!(visitor_id(&a, ip, ua), visitor_id(&a, ip, ua));
        assert_ne!(visitor_id(&a, ip, ua), visitor_id(&b, ip, ua));
        assert_ne!(visitor_id(&a, ip, ua), visitor_id(&a, other, ua));
        assert_ne!(visitor_id(&a, ip, ua), visitor_id(&a, ip, Some("curl/9")));
        assert_ne!(visitor_id(&a, ip, None), visitor_id(&a, ip, Some("")));
    }
}
