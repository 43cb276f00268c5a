//! The migration runner.

use groundwork_platform::config::{Secret, Settings};
use groundwork_platform::db::{self, SystemMigrations};
use groundwork_platform::testing::{self, TestApp};
use sea_orm::DatabaseConnection;

#[tokio::test]
async fn migrating_again_applies_nothing_and_nothing_is_pending() {
    let app = TestApp::with_auth().await;
    let systems: Vec<std::sync::Arc<dyn groundwork_platform::System>> =
        vec![std::sync::Arc::new(groundwork_platform::auth::AuthSystem)];
    assert!(
        app.platform
            .pending_migrations(&systems)
            .await
            .unwrap()
            .is_empty()
    );
    let report = app.platform.migrate(&systems).await.unwrap();
    assert!(report.applied.is_empty(), "{report:?}");
}

/// Runs the auth migrations through two pools at once (as two instances starting together
/// would) and returns how many migrations were applied in total.
async fn migrate_twice_at_once(
    first_pool: &DatabaseConnection,
    second_pool: &DatabaseConnection,
) -> usize {
    let sets = || {
        vec![SystemMigrations {
            system: "auth",
            migrations: groundwork_platform::auth::migrations::all(),
        }]
    };
    let (first, second) = (sets(), sets());
    let (a, b) = tokio::join!(
        db::migrate::run(first_pool, &first),
        db::migrate::run(second_pool, &second)
    );
    a.unwrap().applied.len() + b.unwrap().applied.len()
}

#[tokio::test]
async fn concurrent_migrations_of_a_fresh_sqlite_database_apply_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    let (first, second) = (
        db::connect(&settings).await.unwrap(),
        db::connect(&settings).await.unwrap(),
    );
    assert_eq!(
        migrate_twice_at_once(&first, &second).await,
        1,
        "the single auth migration ran exactly once"
    );
}

#[tokio::test]
async fn concurrent_migrations_of_a_fresh_postgres_database_apply_each_migration_once() {
    let Some(server) = testing::postgres_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_POSTGRES_URL is not set");
        return;
    };
    let (database, url) = testing::TestDatabase::create(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    settings.database.url = Some(Secret::new(url));
    let (first, second) = (
        db::connect(&settings).await.unwrap(),
        db::connect(&settings).await.unwrap(),
    );
    assert_eq!(migrate_twice_at_once(&first, &second).await, 1);
    first.close().await.unwrap();
    second.close().await.unwrap();
    drop(database);
}
