//! Pub/sub over Redis: every instance holds one subscriber connection on the pattern
//! `<key_prefix>ps:*` and hands each message to its local subscribers of that topic.
//! Publishing goes through Redis too, also for this instance's own subscribers, so every
//! instance sees the same messages in the same order.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use tokio_util::sync::CancellationToken;

use super::{PubSub, PublishError, Subscription, Topics};
use crate::pubsub::Event;

/// Fan-out across instances through Redis `PUBLISH` / `PSUBSCRIBE`.
pub struct RedisPubSub {
    publisher: ConnectionManager,
    channel_prefix: String,
    topics: Arc<Topics>,
}

impl RedisPubSub {
    /// Subscribes (waiting for the first subscription, so nothing published after this
    /// returns is missed) and keeps the subscription alive, reconnecting, until `shutdown`.
    pub async fn connect(
        client: redis::Client,
        publisher: ConnectionManager,
        key_prefix: &str,
        shutdown: CancellationToken,
    ) -> redis::RedisResult<Self> {
        let channel_prefix = format!("{key_prefix}ps:");
        let topics = Arc::new(Topics::default());
        let first = subscribe(&client, &channel_prefix).await?;
        tokio::spawn(listen(
            client,
            first,
            channel_prefix.clone(),
            topics.clone(),
            shutdown,
        ));
        Ok(Self {
            publisher,
            channel_prefix,
            topics,
        })
    }
}

async fn subscribe(client: &redis::Client, prefix: &str) -> redis::RedisResult<redis::aio::PubSub> {
    let mut connection = client.get_async_pubsub().await?;
    connection.psubscribe(format!("{prefix}*")).await?;
    Ok(connection)
}

/// Forwards messages until the connection drops, then reconnects with backoff; each
/// drop is a gap for every local subscriber.
async fn listen(
    client: redis::Client,
    mut connection: redis::aio::PubSub,
    prefix: String,
    topics: Arc<Topics>,
    shutdown: CancellationToken,
) {
    loop {
        let mut messages = connection.into_on_message();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                message = messages.next() => match message {
                    Some(message) => {
                        if let Some(topic) = message.get_channel_name().strip_prefix(&prefix) {
                            topics.deliver(topic, Event::Message(bytes::Bytes::copy_from_slice(message.get_payload_bytes())));
                        }
                    }
                    None => break,
                },
            }
        }
        tracing::warn!("Redis pub/sub connection lost; reconnecting");
        topics.gap_everywhere();
        let mut backoff = Duration::from_millis(100);
        connection = loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(backoff) => {}
            }
            match subscribe(&client, &prefix).await {
                Ok(connection) => break connection,
                Err(error) => {
                    tracing::warn!(%error, "Redis pub/sub reconnect failed");
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        };
        // Whatever was published while we were away is lost: say so once more, now that
        // resynchronising can succeed.
        topics.gap_everywhere();
        tracing::info!("Redis pub/sub reconnected");
    }
}

#[async_trait::async_trait]
impl PubSub for RedisPubSub {
    async fn publish(&self, topic: &str, payload: &[u8]) -> Result<(), PublishError> {
        let mut connection = self.publisher.clone();
        redis::cmd("PUBLISH")
            .arg(format!("{}{topic}", self.channel_prefix))
            .arg(payload)
            .query_async::<i64>(&mut connection)
            .await
            .map(drop)
            .map_err(|e| PublishError(e.to_string()))
    }

    fn subscribe(&self, topic: &str) -> Subscription {
        self.topics.subscribe(topic)
    }
}
