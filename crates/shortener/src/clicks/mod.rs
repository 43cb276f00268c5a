//! Click counting off the request path. A redirect adds its click to an in-memory batch
//! (a few hash-map updates under a lock held for well under a microsecond); a background
//! task writes the counts to the database every `flush_interval_ms`, in one transaction
//! of multi-row upserts, and the analytics details every ten intervals, or sooner once
//! `flush_max_events` clicks are waiting or a reader asks (see [`ClickRecorder::run`]).
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

/// The two headers a click records, taken from the request without copying the rest.
pub struct ClickHeaders {
    referer: Option<axum::http::HeaderValue>,
    user_agent: Option<axum::http::HeaderValue>,
}

impl ClickHeaders {
    /// The click of `link_id` by `ip`, now.
    pub fn click(&self, link_id: i64, ip: IpAddr) -> Click<'_> {
        Click {
            link_id,
            at: chrono::Utc::now(),
            referer: self.referer.as_ref().and_then(|v| v.to_str().ok()),
            user_agent: self.user_agent.as_ref().and_then(|v| v.to_str().ok()),
            ip,
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClickHeaders {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self {
            referer: parts.headers.get(axum::http::header::REFERER).cloned(),
            user_agent: parts.headers.get(axum::http::header::USER_AGENT).cloned(),
        })
    }
}

/// Clicks added up since the last flush.
#[derive(Default)]
pub(crate) struct Batch {
    /// Clicks in `hourly`.
    pub events: u64,
    /// Clicks in the detail maps (referrers, agents, visitors), which are written less
    /// often than the counts; see [`ClickRecorder::run`].
    detail_events: u64,
    /// (link, hours since the epoch) → clicks.
    pub hourly: HashMap<(i64, i64), i64>,
    /// (link, day, referrer digest) → clicks; the names are in `referrer_names`, so a
    /// click only allocates for a referrer not seen yet in this batch.
    pub referrers: HashMap<(i64, NaiveDate, u64), i64>,
    referrer_names: HashMap<u64, String>,
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
        self.detail_events += 1;
        *self
            .hourly
            .entry((click.link_id, click.at.timestamp().div_euclid(3600)))
            .or_default() += 1;
        let referrer = agent::referrer_host(click.referer);
        let referrer_digest = fnv1a(referrer.as_bytes());
        // `entry` with the digest as key: the name is only copied the first time.
        self.referrer_names
            .entry(referrer_digest)
            .or_insert_with(|| referrer.into_owned());
        *self
            .referrers
            .entry((click.link_id, day, referrer_digest))
            .or_default() += 1;
        *self.agents.entry((click.link_id, day, agent)).or_default() += 1;
        self.visitors
            .insert((click.link_id, day, click.ip.to_canonical(), digest));
    }

    /// Takes back a batch whose flush failed.
    fn absorb(&mut self, other: Batch) {
        self.events += other.events;
        self.detail_events += other.detail_events;
        for (key, n) in other.hourly {
            *self.hourly.entry(key).or_default() += n;
        }
        for (key, n) in other.referrers {
            *self.referrers.entry(key).or_default() += n;
        }
        self.referrer_names.extend(other.referrer_names);
        for (key, n) in other.agents {
            *self.agents.entry(key).or_default() += n;
        }
        self.visitors.extend(other.visitors);
    }

    /// Takes the counts out, leaving the details to a later write.
    fn take_counts(&mut self) -> Batch {
        Batch {
            events: std::mem::take(&mut self.events),
            hourly: std::mem::take(&mut self.hourly),
            ..Batch::default()
        }
    }

    /// The referring host behind a digest of `referrers`.
    pub fn referrer_name(&self, digest: u64) -> &str {
        self.referrer_names
            .get(&digest)
            .map_or("(unknown)", String::as_str)
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
        let waiting = {
            let mut batch = self.batch.lock().unwrap_or_else(PoisonError::into_inner);
            batch.add(click);
            batch.detail_events
        };
        if waiting == self.max_events {
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
        self.write(true).await
    }

    /// Writes the counts, and the details too if `everything`.
    async fn write(&self, everything: bool) -> Result<(), DbErr> {
        let _flushing = self.flushing.lock().await;
        let batch = {
            let mut batch = self.batch.lock().unwrap_or_else(PoisonError::into_inner);
            if everything {
                std::mem::take(&mut *batch)
            } else {
                batch.take_counts()
            }
        };
        if batch.events == 0 && batch.detail_events == 0 {
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

    /// The flusher. Counts are written every interval; the details (referrers, agents,
    /// visitors: three rows per link and day, against one for the counts) every
    /// [`DETAILS_EVERY`] intervals, when `flush_max_events` of them wait, whenever a
    /// reader asks ([`Self::flush`]) and at shutdown. Writing details ten times less often
    /// cuts the flusher's work by about two thirds under load (clicks on many links).
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut tick: u64 = 0;
        loop {
            let everything = tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticks.tick() => {
                    tick += 1;
                    tick.is_multiple_of(DETAILS_EVERY)
                }
                () = self.full.notified() => true,
            };
            if let Err(error) = self.write(everything).await {
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

/// Intervals between two writes of the click details.
pub const DETAILS_EVERY: u64 = 10;

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
        let referrer =
            |batch: &Batch, name: &str| batch.referrers[&(1, day, fnv1a(name.as_bytes()))];
        assert_eq!(referrer(&batch, "(direct)"), 2);
        assert_eq!(referrer(&batch, "a.example"), 1);
        assert_eq!(batch.referrer_name(fnv1a(b"a.example")), "a.example");
        // One address and one agent: one visitor per link and day.
        assert_eq!(batch.visitors.len(), 2);

        let counts = batch.take_counts();
        assert_eq!((counts.events, counts.hourly.len()), (4, 3));
        assert_eq!((batch.events, batch.detail_events), (0, 4));
        assert!(batch.hourly.is_empty() && !batch.agents.is_empty());
        batch.absorb(counts);

        let mut other = Batch::default();
        other.add(&click(1, "2026-11-21T10:30:00Z", None));
        batch.absorb(other);
        assert_eq!((batch.events, batch.detail_events), (5, 5));
        assert_eq!(batch.hourly[&(1, hour("2026-11-21T10:00:00Z"))], 3);
        assert_eq!(batch.visitors.len(), 2);
    }

    #[test]
    fn the_agent_digest_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
