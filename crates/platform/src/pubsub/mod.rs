//! Publish/subscribe fan-out between the instances of one deployment: in-process by
//! default, over Redis or NATS when configured (`pubsub.backend`), so that a message published on one
//! instance reaches the subscribers of every instance (cache invalidation, live updates).
//!
//! Delivery is at most once. A subscriber is told when it may have missed messages (the
//! Redis connection dropped and came back, or it fell behind) with [`Event::Gap`], and
//! must then resynchronise on its own (a cache clears itself, for example).

mod memory;
mod nats;
mod redis;

pub use memory::InProcessPubSub;
pub use nats::NatsPubSub;
pub use redis::RedisPubSub;
use tokio::sync::broadcast;

/// What a subscription yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// One published payload (cheap to clone: every subscriber shares one buffer).
    Message(bytes::Bytes),
    /// Messages may have been lost since the previous event.
    Gap,
}

/// Publishing failed (Redis or NATS unreachable).
#[derive(Debug, thiserror::Error)]
#[error("publish failed: {0}")]
pub struct PublishError(String);

/// A topic-based fan-out; see the module docs.
#[async_trait::async_trait]
pub trait PubSub: Send + Sync + 'static {
    /// Sends `payload` to every subscriber of `topic` on every instance (this one too).
    async fn publish(&self, topic: &str, payload: &[u8]) -> Result<(), PublishError>;

    /// Starts receiving what is published to `topic` from now on.
    fn subscribe(&self, topic: &str) -> Subscription;
}

/// The receiving end of one subscription.
pub struct Subscription {
    receiver: broadcast::Receiver<Event>,
}

impl Subscription {
    fn new(receiver: broadcast::Receiver<Event>) -> Self {
        Self { receiver }
    }

    /// The next event, or `None` once the pub/sub has shut down.
    pub async fn next(&mut self) -> Option<Event> {
        match self.receiver.recv().await {
            Ok(event) => Some(event),
            // Fell more than the channel's capacity behind: some messages are gone.
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Event::Gap),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The events as a stream (for a WebSocket session's feed).
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Event> + Send + Unpin + 'static {
        Box::pin(futures_util::stream::unfold(
            self,
            |mut subscription| async move {
                let event = subscription.next().await?;
                Some((event, subscription))
            },
        ))
    }
}

/// Events buffered per topic and process before a slow subscriber is told it lagged.
const TOPIC_CAPACITY: usize = 4096;

/// The per-topic channels of one process, shared by both implementations.
#[derive(Default)]
struct Topics {
    channels: std::sync::Mutex<std::collections::HashMap<String, broadcast::Sender<Event>>>,
}

impl Topics {
    fn sender(&self, topic: &str) -> broadcast::Sender<Event> {
        let mut channels = self
            .channels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        channels
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(TOPIC_CAPACITY).0)
            .clone()
    }

    fn subscribe(&self, topic: &str) -> Subscription {
        Subscription::new(self.sender(topic).subscribe())
    }

    /// Delivers to this process's subscribers of `topic`, if there are any.
    fn deliver(&self, topic: &str, event: Event) {
        let channels = self
            .channels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(sender) = channels.get(topic) {
            // An error only means nobody listens right now.
            let _ = sender.send(event);
        }
    }

    /// Tells every subscriber of this process that it may have missed messages.
    fn gap_everywhere(&self) {
        let channels = self
            .channels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for sender in channels.values() {
            let _ = sender.send(Event::Gap);
        }
    }
}
