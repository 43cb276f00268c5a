//! Pub/sub over NATS core (no JetStream: delivery is at most once, as with Redis). Every
//! instance holds one subscription on `<prefix>ps.*` and hands each message to its local
//! subscribers of that topic; publishing goes through the server, also for this instance's
//! own subscribers, so every instance sees the same messages.
//!
//! A topic becomes one subject token: bytes that NATS gives a meaning to (`.`, `*`, `>`),
//! whitespace, `%` and anything outside printable ASCII are percent-encoded.

use std::sync::Arc;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{Event, PubSub, PublishError, Subscription, Topics};

/// Fan-out across instances through a NATS server.
pub struct NatsPubSub {
    client: async_nats::Client,
    subject_prefix: String,
    topics: Arc<Topics>,
}

impl NatsPubSub {
    /// Connects, subscribes (flushed, so nothing published after this returns is missed)
    /// and forwards messages until `shutdown`. The client reconnects on its own; each
    /// disconnection and reconnection is a gap for every local subscriber.
    pub async fn connect(
        url: &str,
        key_prefix: &str,
        shutdown: CancellationToken,
    ) -> Result<Self, async_nats::Error> {
        let topics = Arc::new(Topics::default());
        let for_events = topics.clone();
        let client = async_nats::ConnectOptions::new()
            .name("groundwork")
            .event_callback(move |event| {
                let topics = for_events.clone();
                async move {
                    match event {
                        async_nats::Event::Disconnected => {
                            tracing::warn!("NATS connection lost; reconnecting");
                            topics.gap_everywhere();
                        }
                        async_nats::Event::Connected => topics.gap_everywhere(),
                        _ => {}
                    }
                }
            })
            .connect(url)
            .await?;
        let subject_prefix = format!("{key_prefix}ps.");
        let subscriber = client.subscribe(format!("{subject_prefix}*")).await?;
        client.flush().await?;
        tokio::spawn(listen(
            subscriber,
            subject_prefix.clone(),
            topics.clone(),
            shutdown,
        ));
        Ok(Self {
            client,
            subject_prefix,
            topics,
        })
    }
}

async fn listen(
    mut subscriber: async_nats::Subscriber,
    prefix: String,
    topics: Arc<Topics>,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            message = subscriber.next() => match message {
                Some(message) => {
                    if let Some(token) = message.subject.as_str().strip_prefix(&prefix) {
                        topics.deliver(token, Event::Message(message.payload));
                    }
                }
                None => break,
            },
        }
    }
    let _ = subscriber.unsubscribe().await;
}

#[async_trait::async_trait]
impl PubSub for NatsPubSub {
    async fn publish(&self, topic: &str, payload: &[u8]) -> Result<(), PublishError> {
        let subject = format!("{}{}", self.subject_prefix, subject_token(topic));
        self.client
            .publish(subject, bytes::Bytes::copy_from_slice(payload))
            .await
            .map_err(|e| PublishError(e.to_string()))
    }

    fn subscribe(&self, topic: &str) -> Subscription {
        self.topics.subscribe(&subject_token(topic))
    }
}

/// `topic` as one subject token (see the module docs). Never empty.
fn subject_token(topic: &str) -> String {
    if topic.is_empty() {
        return "%".to_owned();
    }
    let mut token = String::with_capacity(topic.len());
    for byte in topic.bytes() {
        if byte.is_ascii_graphic() && !matches!(byte, b'.' | b'*' | b'>' | b'%') {
            token.push(char::from(byte));
        } else {
            token.push_str(&format!("%{byte:02X}"));
        }
    }
    token
}

#[cfg(test)]
mod tests {
    use super::subject_token;

    #[test]
    fn topics_become_one_safe_subject_token() {
        assert_eq!(subject_token("polls:42"), "polls:42");
        assert_eq!(subject_token("a.b"), "a%2Eb");
        assert_eq!(subject_token("x* >"), "x%2A%20%3E");
        assert_eq!(subject_token("100%"), "100%25");
        assert_eq!(subject_token("é"), "%C3%A9");
        assert_eq!(subject_token(""), "%");
        // Distinct topics stay distinct.
        assert_ne!(subject_token("%"), subject_token(""));
    }
}
