//! The hub: rooms, their history, and one session per connected client. Every line goes
//! through the pub/sub (topic `broadcast:<room>`), also for clients of this instance, so
//! that with Redis or NATS configured all instances deliver every line.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::StreamExt;
use groundwork_platform::pubsub::{Event, PubSub};
use groundwork_platform::ws::{
    Admission, Close, ConnectionPermit, Handler, Incoming, Outgoing, Session, SessionConfig,
};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::protocol::{Line, Presence, ServerEvent, timestamp};

/// How the hub behaves; see `broadcast-server start --help` for each.
#[derive(Clone, Debug)]
pub struct HubSettings {
    /// Lines replayed to a client that joins a room.
    pub history: usize,
    /// Rooms whose history is kept (the least recently joined empty room goes first).
    pub max_rooms: usize,
    /// The session rules (heartbeats, limits).
    pub session: SessionConfig,
}

/// One connected client, admitted and named.
pub struct Member {
    /// Display name.
    pub name: String,
    /// Room.
    pub room: String,
    /// Its place under the connection caps.
    pub permit: ConnectionPermit,
}

/// See the module docs.
pub struct Hub {
    pubsub: Arc<dyn PubSub>,
    settings: HubSettings,
    admission: Admission,
    rooms: Mutex<HashMap<String, Room>>,
    /// Counts joins, to order rooms by their last join for eviction.
    joins: std::sync::atomic::AtomicU64,
    shutdown: CancellationToken,
    sessions: TaskTracker,
}

#[derive(Default)]
struct Room {
    clients: usize,
    history: VecDeque<Line>,
    /// Records lines into `history` while the room has clients here.
    recorder: Option<CancellationToken>,
    /// For eviction: when a client last joined.
    last_join: u64,
}

/// Joins and leaves are announced only while a room holds at most this many clients on
/// this instance: every announcement goes to every client, so in a room of N clients
/// N joins would cost N² messages (50 million for 10,000 clients).
pub const PRESENCE_LIMIT: usize = 100;

fn topic(room: &str) -> String {
    format!("broadcast:{room}")
}

impl Hub {
    /// A hub publishing through `pubsub`; sessions close with 1001 when `shutdown` fires.
    pub fn new(
        pubsub: Arc<dyn PubSub>,
        settings: HubSettings,
        admission: Admission,
        shutdown: CancellationToken,
    ) -> Arc<Self> {
        Arc::new(Self {
            pubsub,
            settings,
            admission,
            rooms: Mutex::new(HashMap::new()),
            joins: std::sync::atomic::AtomicU64::new(0),
            shutdown,
            sessions: TaskTracker::new(),
        })
    }

    /// The pre-upgrade checks.
    pub fn admission(&self) -> &Admission {
        &self.admission
    }

    /// The session rules.
    pub fn session_config(&self) -> &SessionConfig {
        &self.settings.session
    }

    /// Waits (after shutdown) until every session has sent its close frame and ended.
    pub async fn drained(&self) {
        self.sessions.close();
        self.sessions.wait().await;
    }

    /// Runs one client's session to its end: history first, then live lines, with a join
    /// and a leave announced to the room.
    pub async fn serve<S, E>(self: Arc<Self>, socket: S, member: Member)
    where
        S: futures_util::Stream<Item = Result<Message, E>>
            + futures_util::Sink<Message>
            + Unpin
            + Send,
    {
        let _tracked = self.sessions.token();
        let topic = topic(&member.room);
        // Subscribe before taking the history snapshot: a line recorded in between
        // arrives twice, and `Dedup` drops the second copy; nothing falls in a gap.
        let live = self.pubsub.subscribe(&topic);
        let (history, present) = self.join(&member.room);
        let announce_presence = present <= PRESENCE_LIMIT;
        let session = Session::new(self.settings.session.clone(), self.shutdown.clone());
        let outbox = session.outbox();
        let newest_replayed = history.last().map(|line| line.id);
        if announce_presence {
            self.announce(&member, ServerEvent::Join).await;
        }
        // History goes first, through the same stream as live lines, so order holds.
        let replay = futures_util::stream::iter(history.into_iter().map(|mut line| {
            line.history = true;
            Outgoing::text(encode(&ServerEvent::Message(line)))
        }));
        let mut dedup = Dedup { newest_replayed };
        let live = live.into_stream().filter_map(move |event| {
            let outgoing = match event {
                // The payload's buffer is shared by every client, not copied.
                Event::Message(payload) if dedup.admit(&payload) => Utf8Bytes::try_from(payload)
                    .ok()
                    .map(|text| Outgoing::Message(Message::Text(text))),
                Event::Message(_) => None,
                Event::Gap => Some(Outgoing::text(encode(&ServerEvent::Notice {
                    text: "some messages may have been missed".into(),
                }))),
            };
            std::future::ready(outgoing)
        });
        let feed = replay.chain(live);
        let speaker = Speaker {
            hub: self.clone(),
            topic,
            name: member.name.clone(),
            room: member.room.clone(),
            outbox: outbox.clone(),
        };
        let ended = session.run(socket, Box::pin(feed), speaker).await;
        tracing::debug!(name = %member.name, room = %member.room, ?ended, "broadcast client left");
        if self.leave(&member.room) < PRESENCE_LIMIT {
            self.announce(&member, ServerEvent::Leave).await;
        }
    }

    /// Counts a client into the room, starts recording if it is the first, and returns
    /// the history to replay and the number of clients now in the room here.
    fn join(self: &Arc<Self>, room: &str) -> (Vec<Line>, usize) {
        let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        if !rooms.contains_key(room) && rooms.len() >= self.settings.max_rooms {
            evict_one_empty(&mut rooms);
        }
        let serial = self
            .joins
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let entry = rooms.entry(room.to_owned()).or_default();
        entry.clients += 1;
        entry.last_join = serial;
        if entry.recorder.is_none() && self.settings.history > 0 {
            let stop = self.shutdown.child_token();
            entry.recorder = Some(stop.clone());
            tokio::spawn(self.clone().record(room.to_owned(), stop));
        }
        (entry.history.iter().cloned().collect(), entry.clients)
    }

    /// Counts a client out; returns the clients left in the room here.
    fn leave(&self, room: &str) -> usize {
        let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = rooms.get_mut(room) else {
            return 0;
        };
        entry.clients = entry.clients.saturating_sub(1);
        if entry.clients == 0
            && let Some(recorder) = entry.recorder.take()
        {
            recorder.cancel();
        }
        entry.clients
    }

    /// Appends every line published to the room to its history, until `stop`.
    async fn record(self: Arc<Self>, room: String, stop: CancellationToken) {
        let mut lines = self.pubsub.subscribe(&topic(&room));
        loop {
            let event = tokio::select! {
                () = stop.cancelled() => return,
                event = lines.next() => event,
            };
            let Some(Event::Message(payload)) = event else {
                if event.is_none() {
                    return;
                }
                continue;
            };
            let Ok(ServerEvent::Message(line)) = serde_json::from_slice(&payload) else {
                continue;
            };
            let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(entry) = rooms.get_mut(&room) {
                entry.history.push_back(line);
                while entry.history.len() > self.settings.history {
                    entry.history.pop_front();
                }
            }
        }
    }

    async fn announce(&self, member: &Member, kind: fn(Presence) -> ServerEvent) {
        let event = kind(Presence {
            id: Uuid::now_v7(),
            room: member.room.clone(),
            from: member.name.clone(),
            at: timestamp(chrono::Utc::now()),
        });
        if let Err(error) = self
            .pubsub
            .publish(&topic(&member.room), encode(&event).as_bytes())
            .await
        {
            tracing::warn!(%error, "cannot announce a join or leave");
        }
    }
}

/// Drops the empty room joined least recently (rooms with clients are never dropped).
fn evict_one_empty(rooms: &mut HashMap<String, Room>) {
    let oldest = rooms
        .iter()
        .filter(|(_, room)| room.clients == 0)
        .min_by_key(|(_, room)| room.last_join)
        .map(|(name, _)| name.clone());
    if let Some(name) = oldest {
        rooms.remove(&name);
    }
}

fn encode(event: &ServerEvent) -> String {
    // Serialising these plain structs cannot fail.
    serde_json::to_string(event).unwrap_or_default()
}

/// Drops live lines already replayed from history. Lines carry time-ordered ids and the
/// pub/sub keeps order within a topic, so once a line newer than the last replayed one
/// arrives, no more checks are needed.
struct Dedup {
    newest_replayed: Option<Uuid>,
}

impl Dedup {
    fn admit(&mut self, payload: &[u8]) -> bool {
        let Some(newest) = self.newest_replayed else {
            return true;
        };
        // `{"type":"message","id":"<36 characters>"`: the id sits at a fixed place.
        const PREFIX: &[u8] = br#"{"type":"message","id":""#;
        let id = payload
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.get(..36))
            .and_then(|id| std::str::from_utf8(id).ok())
            .and_then(|id| Uuid::parse_str(id).ok());
        match id {
            Some(id) if id <= newest => false,
            Some(_) => {
                self.newest_replayed = None;
                true
            }
            None => true,
        }
    }
}

/// Publishes what the client writes.
struct Speaker {
    hub: Arc<Hub>,
    topic: String,
    name: String,
    room: String,
    outbox: groundwork_platform::ws::Outbox,
}

impl Handler for Speaker {
    async fn on_message(&mut self, message: Incoming) -> Result<(), Close> {
        let Incoming::Text(text) = message else {
            return Ok(());
        };
        if text.as_str().trim().is_empty() {
            return Ok(());
        }
        let line = ServerEvent::Message(Line {
            id: Uuid::now_v7(),
            room: self.room.clone(),
            from: self.name.clone(),
            text: text.as_str().to_owned(),
            at: timestamp(chrono::Utc::now()),
            history: false,
        });
        if let Err(error) = self
            .hub
            .pubsub
            .publish(&self.topic, encode(&line).as_bytes())
            .await
        {
            tracing::warn!(%error, "cannot publish a broadcast line");
            self.outbox
                .send(Outgoing::text(encode(&ServerEvent::Notice {
                    text: "your message could not be delivered; try again".into(),
                })));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replayed_lines_are_dropped_once_and_newer_ones_pass() {
        let old = Uuid::now_v7();
        let newer = Uuid::now_v7();
        let line = |id: Uuid| {
            serde_json::to_vec(&ServerEvent::Message(Line {
                id,
                room: "r".into(),
                from: "a".into(),
                text: "t".into(),
                at: "x".into(),
                history: false,
            }))
            .unwrap()
        };
        let mut dedup = Dedup {
            newest_replayed: Some(old),
        };
        assert!(!dedup.admit(&line(old)));
        assert!(dedup.admit(br#"{"type":"join"}"#));
        assert!(dedup.admit(&line(newer)));
        assert!(dedup.newest_replayed.is_none());
        assert!(dedup.admit(&line(old)), "after a newer line no more checks");
    }
}
