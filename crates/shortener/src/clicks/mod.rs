//! Click counting off the request path. A redirect adds its click to an in-memory batch
//! (a few hash-map updates under a lock held for well under a microsecond); a background
//! task writes the batch to the database every `flush_interval_ms`, or sooner once
//! `flush_max_events` clicks are waiting, in one transaction of multi-row upserts.
//!
//! Guarantees: after a flush the stored counts are exact. A graceful shutdown flushes
//! what is left. A crash loses the clicks of the last interval (one second by default).
//! A failed flush puts its batch back and is retried on the next tick.

pub mod agent;
mod store;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use agent::Agent;

/// One click, as the redirect handler saw it.
pub struct Click<'a> {
    /// The link.
    pub link_id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The `Referer` header.
    pub referer: Option<&'a str>,
    /// The `User-Agent` header.
    pub user_agent: Option<&'a str>,
    /// The client's address (hashed with the day's salt at flush time, never stored).
    pub ip: IpAddr,
}

/// Clicks added up since the last flush.
#[derive(Default)]
pub(crate) struct Batch {
    pub events: u64,
    /// (link, hours since the epoch) → clicks.
    pub hourly: HashMap<(i64, i64), i64>,
    pub referrers: HashMap<(i64, NaiveDate, String), i64>,
    pub agents: HashMap<(i64, NaiveDate, Agent), i64>,
    /// (link, day, address, user-agent digest): hashed into visitor ids when written.
    pub visitors: HashSet<(i64, NaiveDate, IpAddr, u64)>,
    /// User-agent digest → families, so each distinct agent is classified once a batch.
    agent_memo: HashMap<u64, Agent>,
}

impl Batch {
    fn add(&mut self, click: &Click<'_>) {
        let day = click.at.date_naive();
        let digest = fnv1a(click.user_agent.unwrap_or("").as_bytes());
        let agent = *self
            .agent_memo
            .entry(digest)
            .or_insert_with(|| agent::classify(click.user_agent));
        self.events += 1;
        *self
            .hourly
            .entry((click.link_id, click.at.timestamp().div_euclid(3600)))
            .or_default() += 1;
        *self
            .referrers
            .entry((click.link_id, day, agent::referrer_host(click.referer)))
            .or_default() += 1;
        *self.agents.entry((click.link_id, day, agent)).or_default() += 1;
        self.visitors
            .insert((click.link_id, day, click.ip.to_canonical(), digest));
    }

    /// Takes back a batch whose flush failed.
    fn absorb(&mut self, other: Batch) {
        self.events += other.events;
        for (key, n) in other.hourly {
            *self.hourly.entry(key).or_default() += n;
        }
        for (key, n) in other.referrers {
            *self.referrers.entry(key).or_default() += n;
        }
        for (key, n) in other.agents {
            *self.agents.entry(key).or_default() += n;
        }
        self.visitors.extend(other.visitors);
    }

    /// Clicks of one link not yet written.
    fn pending_for(&self, link_id: i64) -> i64 {
        self.hourly
            .iter()
            .filter(|((link, _), _)| *link == link_id)
            .map(|(_, n)| n)
            .sum()
    }
}

/// FNV-1a, 64 bits: a stable digest of the user agent (the same on every instance and
/// Rust version, unlike the standard library's hasher).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Counts clicks in memory and writes them in batches; see the module docs.
pub struct ClickRecorder {
    db: DatabaseConnection,
    batch: Mutex<Batch>,
    /// Held for the whole of a flush, so flushes never overlap.
    flushing: tokio::sync::Mutex<()>,
    full: Notify,
    max_events: u64,
    interval: Duration,
    salts: store::Salts,
}

impl ClickRecorder {
    /// A recorder writing to `db`.
    pub fn new(db: DatabaseConnection, interval: Duration, max_events: u64) -> Self {
        Self {
            db,
            batch: Mutex::new(Batch::default()),
            flushing: tokio::sync::Mutex::new(()),
            full: Notify::new(),
            max_events,
            interval,
            salts: store::Salts::default(),
        }
    }

    /// Counts one click. Never touches the database.
    pub fn record(&self, click: &Click<'_>) {
        let events = {
            let mut batch = self.batch.lock().unwrap_or_else(PoisonError::into_inner);
            batch.add(click);
            batch.events
        };
        if events == self.max_events {
            self.full.notify_one();
        }
    }

    /// Clicks of `link_id` counted here but not written yet.
    pub fn pending_for(&self, link_id: i64) -> i64 {
        self.batch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pending_for(link_id)
    }

    /// Writes everything counted so far. Readers of counts call it first, so what they
    /// read includes every click this instance has seen.
    pub async fn flush(&self) -> Result<(), DbErr> {
        let _flushing = self.flushing.lock().await;
        let batch = std::mem::take(&mut *self.batch.lock().unwrap_or_else(PoisonError::into_inner));
        if batch.events == 0 {
            return Ok(());
        }
        let events = batch.events;
        match store::write(&self.db, &self.salts, &batch).await {
            Ok(()) => {
                metrics::counter!("shortener_clicks_flushed_total").increment(events);
                Ok(())
            }
            Err(error) => {
                self.batch
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .absorb(batch);
                Err(error)
            }
        }
    }

    /// The flusher: every interval, when the batch is full, and once more at shutdown.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticks.tick() => {}
                () = self.full.notified() => {}
            }
            if let Err(error) = self.flush().await {
                tracing::warn!(%error, "writing clicks failed; will retry");
            }
        }
        // The final flush: a few attempts, since losing counts is what we promise not to.
        for attempt in 1..=3 {
            match self.flush().await {
                Ok(()) => return,
                Err(error) => {
                    tracing::error!(%error, attempt, "writing clicks at shutdown failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(link_id: i64, at: &str, referer: Option<&'static str>) -> Click<'static> {
        Click {
            link_id,
            at: at.parse().unwrap(),
            referer,
            user_agent: Some("curl/8"),
            ip: "203.0.113.9".parse().unwrap(),
        }
    }

    #[test]
    fn a_batch_adds_clicks_up_by_hour_referrer_agent_and_visitor() {
        let mut batch = Batch::default();
        batch.add(&click(1, "2026-11-21T10:05:00Z", None));
        batch.add(&click(
            1,
            "2026-11-21T10:55:00Z",
            Some("https://a.example/x"),
        ));
        batch.add(&click(1, "2026-11-21T11:00:00Z", None));
        batch.add(&click(2, "2026-11-21T11:00:00Z", None));
        assert_eq!(batch.events, 4);
        assert_eq!(batch.pending_for(1), 3);
        assert_eq!(batch.pending_for(2), 1);
        let hour = |s: &str| s.parse::<DateTime<Utc>>().unwrap().timestamp() / 3600;
        assert_eq!(batch.hourly[&(1, hour("2026-11-21T10:00:00Z"))], 2);
        assert_eq!(batch.hourly[&(1, hour("2026-11-21T11:00:00Z"))], 1);
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(batch.referrers[&(1, day, "(direct)".to_owned())], 2);
        assert_eq!(batch.referrers[&(1, day, "a.example".to_owned())], 1);
        // One address and one agent: one visitor per link and day.
        assert_eq!(batch.visitors.len(), 2);

        let mut other = Batch::default();
        other.add(&click(1, "2026-11-21T10:30:00Z", None));
        batch.absorb(other);
        assert_eq!(batch.events, 5);
        assert_eq!(batch.hourly[&(1, hour("2026-11-21T10:00:00Z"))], 3);
        assert_eq!(batch.visitors.len(), 2);
    }

    #[test]
    fn the_agent_digest_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
