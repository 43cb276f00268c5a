//! One contract for every pub/sub: in-process, Redis and NATS (the last two when their
//! URLs are set, which CI does). Each backend gets two "instances" (two connections, as
//! two servers would have) so that cross-instance delivery is what is tested.

use std::sync::Arc;
use std::time::Duration;

use groundwork_platform::pubsub::{
    Event, InProcessPubSub, NatsPubSub, PubSub, RedisPubSub, Subscription,
};
use groundwork_platform::testing;
use tokio_util::sync::CancellationToken;

type Pair = (Arc<dyn PubSub>, Arc<dyn PubSub>);

async fn redis_instance(url: &str, prefix: &str, shutdown: &CancellationToken) -> Arc<dyn PubSub> {
    let client = redis::Client::open(url).unwrap();
    let publisher = redis::aio::ConnectionManager::new(client.clone())
        .await
        .unwrap();
    Arc::new(
        RedisPubSub::connect(client, publisher, prefix, shutdown.clone())
            .await
            .unwrap(),
    )
}

async fn nats_instance(url: &str, prefix: &str, shutdown: &CancellationToken) -> Arc<dyn PubSub> {
    Arc::new(
        NatsPubSub::connect(url, prefix, shutdown.clone())
            .await
            .unwrap(),
    )
}

/// Every configured backend, by name, as a pair of instances sharing one namespace.
async fn backends(test: &str, shutdown: &CancellationToken) -> Vec<(&'static str, Pair)> {
    let memory: Arc<dyn PubSub> = Arc::new(InProcessPubSub::new());
    let mut all = vec![("in-process", (memory.clone(), memory))];
    if let Some(url) = testing::redis_url() {
        let prefix = testing::unique_prefix(test);
        let a = redis_instance(&url, &prefix, shutdown).await;
        let b = redis_instance(&url, &prefix, shutdown).await;
        all.push(("redis", (a, b)));
    }
    if let Some(url) = testing::nats_url() {
        let prefix = testing::unique_prefix(test);
        let a = nats_instance(&url, &prefix, shutdown).await;
        let b = nats_instance(&url, &prefix, shutdown).await;
        all.push(("nats", (a, b)));
    }
    all
}

async fn next_message(subscription: &mut Subscription, backend: &str) -> Vec<u8> {
    match tokio::time::timeout(Duration::from_secs(5), subscription.next()).await {
        Ok(Some(Event::Message(payload))) => payload.to_vec(),
        other => panic!("{backend}: expected a message, got {other:?}"),
    }
}

async fn nothing_more(subscription: &mut Subscription, backend: &str) {
    if let Ok(event) = tokio::time::timeout(Duration::from_millis(200), subscription.next()).await {
        panic!("{backend}: expected nothing, got {event:?}");
    }
}

#[tokio::test]
async fn messages_reach_subscribers_on_other_instances_in_order() {
    let shutdown = CancellationToken::new();
    for (backend, (a, b)) in backends("order", &shutdown).await {
        let mut on_b = b.subscribe("room:1");
        let mut on_a = a.subscribe("room:1");
        for i in 0..100u32 {
            a.publish("room:1", &i.to_be_bytes()).await.unwrap();
        }
        for subscription in [&mut on_b, &mut on_a] {
            for i in 0..100u32 {
                assert_eq!(
                    next_message(subscription, backend).await,
                    i.to_be_bytes(),
                    "{backend}"
                );
            }
        }
    }
    shutdown.cancel();
}

#[tokio::test]
async fn topics_are_isolated_even_with_special_characters() {
    let shutdown = CancellationToken::new();
    let topics = ["a.b", "a%2Eb", "a b", "a*", "a>", "", "é"];
    for (backend, (a, b)) in backends("isolated", &shutdown).await {
        let mut subscriptions: Vec<_> = topics.iter().map(|t| b.subscribe(t)).collect();
        for topic in topics {
            a.publish(topic, topic.as_bytes()).await.unwrap();
        }
        for (topic, subscription) in topics.iter().zip(&mut subscriptions) {
            assert_eq!(
                next_message(subscription, backend).await,
                topic.as_bytes(),
                "{backend}"
            );
            nothing_more(subscription, backend).await;
        }
    }
    shutdown.cancel();
}

#[tokio::test]
async fn every_subscriber_gets_every_message_and_nothing_from_before() {
    let shutdown = CancellationToken::new();
    for (backend, (a, b)) in backends("fanout", &shutdown).await {
        a.publish("news", b"before").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut subscriptions: Vec<_> = (0..3).map(|_| b.subscribe("news")).collect();
        a.publish("news", b"after").await.unwrap();
        for subscription in &mut subscriptions {
            assert_eq!(
                next_message(subscription, backend).await,
                b"after",
                "{backend}"
            );
            nothing_more(subscription, backend).await;
        }
    }
    shutdown.cancel();
}

#[tokio::test]
async fn payloads_arrive_byte_for_byte() {
    let shutdown = CancellationToken::new();
    let large: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let payloads: [&[u8]; 4] = [b"", &[0, 255, 10, 13, 0], "naïve ✓".as_bytes(), &large];
    for (backend, (a, b)) in backends("bytes", &shutdown).await {
        let mut subscription = b.subscribe("bytes");
        for payload in payloads {
            a.publish("bytes", payload).await.unwrap();
        }
        for payload in payloads {
            assert_eq!(
                next_message(&mut subscription, backend).await,
                payload,
                "{backend}"
            );
        }
    }
    shutdown.cancel();
}
