//! Live tallies. A change (a vote, a close) is announced on the pub/sub topic
//! `polls:<id>`, so every instance hears it. Each instance runs one watcher per poll that
//! has live clients here: it reloads the tallies at most [`MIN_INTERVAL`] apart (10
//! messages a second at most, however many votes arrive), serialises them once, and
//! hands the message to its clients through a `watch` channel, which keeps only the
//! latest: a slow client skips intermediate tallies instead of queueing them. When the
//! poll closes (by its owner or its time) the watcher sends the final tallies and stops.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use chrono::Utc;
use groundwork_platform::Platform;
use groundwork_platform::pubsub::PubSub;
use groundwork_platform::ws::{Admission, ConnectionLimits, OriginPolicy, SessionConfig};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::api::response::{LiveMessage, PollResponse};
use crate::repo;

/// The shortest time between two tally messages for one poll.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Votes were cast, changed or withdrawn.
    Votes,
    /// The owner closed the poll.
    Closed,
}

/// The latest message for one poll's clients.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The serialised [`LiveMessage`].
    pub json: Arc<str>,
    /// The final message: close the socket after it.
    pub closed: bool,
}

/// Watchers by poll, and what sessions need.
pub struct Live {
    db: DatabaseConnection,
    pubsub: Arc<dyn PubSub>,
    watchers: Arc<Mutex<HashMap<Uuid, Weak<Watcher>>>>,
    /// Session rules of live sockets.
    pub session: SessionConfig,
    /// Checks before upgrading.
    pub admission: Admission,
    /// Cancelled at shutdown (sessions close with 1001).
    pub shutdown: CancellationToken,
}

/// One poll's watcher; it stops when the last session holding it goes.
pub struct Watcher {
    poll: Uuid,
    latest: watch::Sender<Option<Snapshot>>,
    stop: CancellationToken,
    registry: Weak<Mutex<HashMap<Uuid, Weak<Watcher>>>>,
}

impl Watcher {
    /// A receiver whose first `changed()` yields the current message (if one is ready).
    pub fn subscribe(&self) -> watch::Receiver<Option<Snapshot>> {
        let mut receiver = self.latest.subscribe();
        receiver.mark_changed();
        receiver
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(registry) = self.registry.upgrade() {
            let mut watchers = registry.lock().unwrap_or_else(PoisonError::into_inner);
            if watchers
                .get(&self.poll)
                .is_some_and(|w| w.strong_count() == 0)
            {
                watchers.remove(&self.poll);
            }
        }
    }
}

fn topic(poll: Uuid) -> String {
    format!("polls:{poll}")
}

impl Live {
    /// Live tallies on the platform's database and pub/sub.
    pub fn new(platform: &Platform) -> Arc<Self> {
        Arc::new(Self {
            db: platform.db().clone(),
            pubsub: platform.pubsub().clone(),
            watchers: Arc::default(),
            session: SessionConfig {
                // Clients only listen; a few messages a second is already odd.
                messages_per_second: 5,
                message_burst: 10,
                max_message_bytes: 4 * 1024,
                // Tallies are snapshots held in a watch channel, never queued.
                outbox_capacity: 8,
                ..SessionConfig::default()
            },
            admission: Admission {
                limits: ConnectionLimits::new(100_000, 1_000),
                origins: OriginPolicy::Any,
            },
            shutdown: platform.shutdown_token().clone(),
        })
    }

    /// Tells every instance's watchers of `poll` that it changed. A failure is logged:
    /// the vote is stored either way, and the next change brings clients up to date.
    pub async fn notify(&self, poll: Uuid, change: Change) {
        let payload: &[u8] = match change {
            Change::Votes => b"votes",
            Change::Closed => b"closed",
        };
        if let Err(error) = self.pubsub.publish(&topic(poll), payload).await {
            tracing::warn!(%error, %poll, "cannot announce a poll change");
        }
    }

    /// The watcher of `poll`, started if this instance has none.
    pub fn watch(self: &Arc<Self>, poll: Uuid) -> Arc<Watcher> {
        let mut watchers = self.watchers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(watcher) = watchers.get(&poll).and_then(Weak::upgrade) {
            return watcher;
        }
        let (latest, _) = watch::channel(None);
        let watcher = Arc::new(Watcher {
            poll,
            latest: latest.clone(),
            stop: self.shutdown.child_token(),
            registry: Arc::downgrade(&self.watchers),
        });
        watchers.insert(poll, Arc::downgrade(&watcher));
        tokio::spawn(self.clone().run_watcher(poll, latest, watcher.stop.clone()));
        watcher
    }

    async fn run_watcher(
        self: Arc<Self>,
        poll: Uuid,
        latest: watch::Sender<Option<Snapshot>>,
        stop: CancellationToken,
    ) {
        // Subscribe before the first load: a change in between is then seen, not lost.
        let mut changes = self.pubsub.subscribe(&topic(poll));
        let mut last_sent = Instant::now();
        let mut due: Option<Instant> = Some(Instant::now());
        let mut closes_at: Option<Instant> = None;
        loop {
            let wake = [due, closes_at].into_iter().flatten().min();
            tokio::select! {
                () = stop.cancelled() => return,
                event = changes.next() => {
                    if event.is_none() {
                        return;
                    }
                    // Any event, a gap too, means "reload"; at most every MIN_INTERVAL.
                    due.get_or_insert_with(|| (last_sent + MIN_INTERVAL).max(Instant::now()));
                    continue;
                }
                () = sleep_until(wake) => {}
            }
            due = None;
            match self.load(poll).await {
                Ok(Some((snapshot, closing))) => {
                    let closed = snapshot.closed;
                    latest.send_replace(Some(snapshot));
                    // Measured from the send, so a slow load never squeezes two closer.
                    last_sent = Instant::now();
                    if closed {
                        return;
                    }
                    closes_at = closing;
                }
                Ok(None) => return,
                Err(error) => {
                    tracing::warn!(%error, %poll, "cannot load poll tallies; retrying");
                    due = Some(Instant::now() + Duration::from_secs(1));
                }
            }
        }
    }

    /// The current message for `poll`, and when (as an `Instant`) it will close on its own.
    async fn load(
        &self,
        poll: Uuid,
    ) -> Result<Option<(Snapshot, Option<Instant>)>, sea_orm::DbErr> {
        let Some(record) = repo::find(&self.db, poll).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        let response = PollResponse::new(&record, now);
        let closing = response
            .closes_at
            .filter(|_| response.open)
            .map(|at| Instant::now() + (at - now).to_std().unwrap_or_default());
        let closed = !response.open;
        let message = if closed {
            LiveMessage::Closed { poll: response }
        } else {
            LiveMessage::Tally { poll: response }
        };
        let json = serde_json::to_string(&message).unwrap_or_default();
        Ok(Some((
            Snapshot {
                json: json.into(),
                closed,
            },
            closing,
        )))
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
