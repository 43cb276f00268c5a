//! Writing a batch: one transaction of multi-row upserts that add to the stored counts,
//! and the daily salts that turn addresses into visitor ids.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};
use sha2::{Digest, Sha256};

use super::Batch;
use crate::entities::{agents_daily, clicks_hourly, links, referrers_daily, salts, visitors_daily};

/// Rows per statement: far below SQLite's and PostgreSQL's bind-parameter limits.
const ROWS_PER_STATEMENT: usize = 2000;

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
            salt: Set(hex(&fresh)),
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// 64 bits of SHA-256(salt, address, user-agent digest).
fn visitor_id(salt: &[u8; 32], ip: IpAddr, agent_digest: u64) -> i64 {
    let address = match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    };
    let digest = Sha256::new()
        .chain_update(salt)
        .chain_update(address)
        .chain_update(agent_digest.to_le_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(first)
}

/// `"table"."column" + "excluded"."column"`: add the new count to the stored one.
fn add_to(table: &str, column: &str) -> Expr {
    Expr::cust(format!(r#""{table}"."{column}" + "excluded"."{column}""#))
}

/// Writes `batch` in one transaction. Clicks of links deleted meanwhile are dropped.
pub(super) async fn write(
    db: &sea_orm::DatabaseConnection,
    salts: &Salts,
    batch: &Batch,
) -> Result<(), DbErr> {
    let tx = groundwork_platform::db::begin_write(db).await?;
    let wanted: BTreeSet<i64> = batch.hourly.keys().map(|(link, _)| *link).collect();
    let live = existing_links(&tx, &wanted).await?;

    let hourly: Vec<_> = batch
        .hourly
        .iter()
        .filter(|((link, _), _)| live.contains(link))
        .filter_map(|((link, hour), n)| {
            Some(clicks_hourly::ActiveModel {
                link_id: Set(*link),
                hour: Set(DateTime::<Utc>::from_timestamp(hour * 3600, 0)?),
                clicks: Set(*n),
            })
        })
        .collect();
    for rows in hourly.chunks(ROWS_PER_STATEMENT) {
        clicks_hourly::Entity::insert_many(rows.to_vec())
            .on_conflict(
                OnConflict::columns([clicks_hourly::Column::LinkId, clicks_hourly::Column::Hour])
                    .value(
                        clicks_hourly::Column::Clicks,
                        add_to("shortener_clicks_hourly", "clicks"),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&tx)
            .await?;
    }

    let referrers: Vec<_> = batch
        .referrers
        .iter()
        .filter(|((link, _, _), _)| live.contains(link))
        .map(|((link, day, referrer), n)| referrers_daily::ActiveModel {
            link_id: Set(*link),
            day: Set(*day),
            referrer: Set(referrer.clone()),
            clicks: Set(*n),
        })
        .collect();
    for rows in referrers.chunks(ROWS_PER_STATEMENT) {
        referrers_daily::Entity::insert_many(rows.to_vec())
            .on_conflict(
                OnConflict::columns([
                    referrers_daily::Column::LinkId,
                    referrers_daily::Column::Day,
                    referrers_daily::Column::Referrer,
                ])
                .value(
                    referrers_daily::Column::Clicks,
                    add_to("shortener_referrers_daily", "clicks"),
                )
                .to_owned(),
            )
            .exec_without_returning(&tx)
            .await?;
    }

    let agents: Vec<_> = batch
        .agents
        .iter()
        .filter(|((link, _, _), _)| live.contains(link))
        .map(|((link, day, agent), n)| agents_daily::ActiveModel {
            link_id: Set(*link),
            day: Set(*day),
            browser: Set(agent.browser.to_owned()),
            os: Set(agent.os.to_owned()),
            bot: Set(agent.bot),
            clicks: Set(*n),
        })
        .collect();
    for rows in agents.chunks(ROWS_PER_STATEMENT) {
        agents_daily::Entity::insert_many(rows.to_vec())
            .on_conflict(
                OnConflict::columns([
                    agents_daily::Column::LinkId,
                    agents_daily::Column::Day,
                    agents_daily::Column::Browser,
                    agents_daily::Column::Os,
                    agents_daily::Column::Bot,
                ])
                .value(
                    agents_daily::Column::Clicks,
                    add_to("shortener_agents_daily", "clicks"),
                )
                .to_owned(),
            )
            .exec_without_returning(&tx)
            .await?;
    }

    let mut visitors = HashSet::new();
    for (link, day, ip, agent) in &batch.visitors {
        if live.contains(link) {
            let salt = salts.for_day(&tx, *day).await?;
            visitors.insert((*link, *day, visitor_id(&salt, *ip, *agent)));
        }
    }
    let visitors: Vec<_> = visitors
        .into_iter()
        .map(|(link, day, visitor)| visitors_daily::ActiveModel {
            link_id: Set(link),
            day: Set(day),
            visitor: Set(visitor),
        })
        .collect();
    for rows in visitors.chunks(ROWS_PER_STATEMENT) {
        visitors_daily::Entity::insert_many(rows.to_vec())
            .on_conflict(
                OnConflict::columns([
                    visitors_daily::Column::LinkId,
                    visitors_daily::Column::Day,
                    visitors_daily::Column::Visitor,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&tx)
            .await?;
    }
    tx.commit().await
}

/// Which of `ids` still exist (a link may be deleted between its click and the flush).
async fn existing_links(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<i64>,
) -> Result<HashSet<i64>, DbErr> {
    let ids: Vec<i64> = ids.iter().copied().collect();
    let mut live = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(ROWS_PER_STATEMENT * 4) {
        let found: Vec<i64> = links::Entity::find()
            .select_only()
            .column(links::Column::Id)
            .filter(links::Column::Id.is_in(chunk.iter().copied()))
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
        assert_eq!(unhex(&hex(&salt)), Some(salt));
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn visitor_ids_depend_on_salt_address_and_agent() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let other: IpAddr = "203.0.113.10".parse().unwrap();
        assert_eq!(visitor_id(&a, ip, 1), visitor_id(&a, ip, 1));
        assert_ne!(visitor_id(&a, ip, 1), visitor_id(&b, ip, 1));
        assert_ne!(visitor_id(&a, ip, 1), visitor_id(&a, other, 1));
        assert_ne!(visitor_id(&a, ip, 1), visitor_id(&a, ip, 2));
    }
}
