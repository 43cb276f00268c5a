//! The migration runner.

use groundwork_platform::testing::TestApp;

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

#[tokio::test]
async fn concurrent_migrations_of_a_fresh_database_apply_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    // On SQLite, whatever the test backend: two pooled connections race for the write lock.
    let mut settings = groundwork_platform::config::Settings {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    settings.database.max_connections = Some(4);
    let db = groundwork_platform::db::connect(&settings).await.unwrap();
    let sets = || {
        vec![groundwork_platform::db::SystemMigrations {
            system: "auth",
            migrations: groundwork_platform::auth::migrations::all(),
        }]
    };
    let (first, second) = (sets(), sets());
    let (a, b) = tokio::join!(
        groundwork_platform::db::migrate::run(&db, &first),
        groundwork_platform::db::migrate::run(&db, &second)
    );
    let applied = a.unwrap().applied.len() + b.unwrap().applied.len();
    assert_eq!(applied, 1, "the single auth migration ran exactly once");
}

#[tokio::test]
async fn concurrent_migrations_of_a_fresh_postgres_database_apply_each_migration_once() {
    let Some(server) = groundwork_platform::testing::postgres_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_POSTGRES_URL is not set");
        return;
    };
    let (database, url) = groundwork_platform::testing::TestDatabase::create(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = groundwork_platform::config::Settings {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    settings.database.url = Some(groundwork_platform::config::Secret::new(url));
    // Two pools, as two instances starting at once would have.
    let first_pool = groundwork_platform::db::connect(&settings).await.unwrap();
    let second_pool = groundwork_platform::db::connect(&settings).await.unwrap();
    let sets = || {
        vec![groundwork_platform::db::SystemMigrations {
            system: "auth",
            migrations: groundwork_platform::auth::migrations::all(),
        }]
    };
    let (first, second) = (sets(), sets());
    let (a, b) = tokio::join!(
        groundwork_platform::db::migrate::run(&first_pool, &first),
        groundwork_platform::db::migrate::run(&second_pool, &second)
    );
    assert_eq!(a.unwrap().applied.len() + b.unwrap().applied.len(), 1);
    first_pool.close().await.unwrap();
    second_pool.close().await.unwrap();
    drop(database);
}
