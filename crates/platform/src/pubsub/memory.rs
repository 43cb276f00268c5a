//! The in-process pub/sub: one instance, no network.

use super::{Event, PubSub, PublishError, Subscription, Topics};

/// Fan-out within this process only (the embedded default).
#[derive(Default)]
pub struct InProcessPubSub {
    topics: Topics,
}

impl InProcessPubSub {
    /// An empty pub/sub.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait::async_trait]
impl PubSub for InProcessPubSub {
    async fn publish(&self, topic: &str, payload: &[u8]) -> Result<(), PublishError> {
        self.topics.deliver(
            topic,
            Event::Message(bytes::Bytes::copy_from_slice(payload)),
        );
        Ok(())
    }

    fn subscribe(&self, topic: &str) -> Subscription {
        self.topics.subscribe(topic)
    }
}
