//! The broadcast system inside the app (`groundwork serve`), at `/broadcast/ws`: through
//! the whole HTTP pipeline, and across two instances sharing Redis or NATS.

use groundwork_broadcast::BroadcastSystem;
use groundwork_platform::testing::{self, TestApp, TestAppBuilder};

use crate::common::*;

fn ws_url(app: &TestApp, query: &str) -> String {
    format!("ws://{}/broadcast/ws?{query}", app.address)
}

#[tokio::test]
async fn the_mounted_endpoint_broadcasts_and_closes_with_going_away_on_shutdown() {
    let mut app = TestApp::builder()
        .system(BroadcastSystem::default())
        .spawn()
        .await;
    let mut alice = connect(&ws_url(&app, "name=alice")).await;
    let mut bob = connect(&ws_url(&app, "name=bob")).await;
    say(&mut alice, "through the pipeline").await;
    assert_eq!(next_line(&mut bob).await.1, "through the pipeline");
    assert!(app.openapi.paths.paths.contains_key("/broadcast/ws"));
    app.shut_down().await;
    assert_eq!(close_code(&mut alice).await, Some(1001));
    assert_eq!(close_code(&mut bob).await, Some(1001));
}

/// Two instances on one pub/sub; `configure` points both at the same service.
async fn across_instances(configure: impl Fn(TestAppBuilder) -> TestAppBuilder) {
    let one = configure(TestApp::builder().system(BroadcastSystem::default()))
        .spawn()
        .await;
    let two = configure(TestApp::builder().system(BroadcastSystem::default()))
        .spawn()
        .await;
    let mut on_one = connect(&ws_url(&one, "name=alice&room=shared")).await;
    let mut on_two = connect(&ws_url(&two, "name=bob&room=shared")).await;
    say(&mut on_one, "from instance one").await;
    assert_eq!(
        next_line(&mut on_two).await,
        ("alice".into(), "from instance one".into(), false)
    );
    say(&mut on_two, "from instance two").await;
    assert_eq!(next_line(&mut on_one).await.1, "from instance one");
    assert_eq!(next_line(&mut on_one).await.1, "from instance two");
}

#[tokio::test]
async fn lines_cross_instances_through_redis() {
    let Some(url) = testing::redis_url() else {
        return;
    };
    let prefix = testing::unique_prefix("broadcast");
    across_instances(|builder| {
        builder
            .config("redis.url", &url)
            .config("redis.key_prefix", &prefix)
    })
    .await;
}

#[tokio::test]
async fn lines_cross_instances_through_nats() {
    let Some(url) = testing::nats_url() else {
        return;
    };
    let prefix = testing::unique_prefix("broadcast");
    across_instances(|builder| {
        builder
            .config("pubsub.nats_url", &url)
            .config("redis.key_prefix", &prefix)
    })
    .await;
}
