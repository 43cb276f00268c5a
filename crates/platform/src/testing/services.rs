//! The real services tests may use: which are configured, and a fresh PostgreSQL
//! database per test.

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

/// Whether CI demands real services (`GROUNDWORK_REQUIRE_SERVICES=1`).
pub fn services_required() -> bool {
    std::env::var("GROUNDWORK_REQUIRE_SERVICES")
        .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn service_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                !services_required(),
                "GROUNDWORK_REQUIRE_SERVICES=1 but {variable} is not set"
            );
            None
        }
    }
}

/// PostgreSQL server URL for tests (`GROUNDWORK_TEST_POSTGRES_URL`), if any.
pub fn postgres_url() -> Option<String> {
    service_url("GROUNDWORK_TEST_POSTGRES_URL")
}

/// Redis URL for tests (`GROUNDWORK_TEST_REDIS_URL`), if any.
pub fn redis_url() -> Option<String> {
    service_url("GROUNDWORK_TEST_REDIS_URL")
}

/// NATS URL for tests (`GROUNDWORK_TEST_NATS_URL`), if any.
pub fn nats_url() -> Option<String> {
    service_url("GROUNDWORK_TEST_NATS_URL")
}

/// An S3-compatible endpoint for tests (`GROUNDWORK_TEST_S3_URL`, for example a local
/// `moto_server`), if any. Tests store under a unique prefix of [`S3_TEST_BUCKET`].
pub fn s3_url() -> Option<String> {
    service_url("GROUNDWORK_TEST_S3_URL")
}

/// The bucket blob-storage tests use on the S3 endpoint.
pub const S3_TEST_BUCKET: &str = "groundwork-test";

/// Creates the test bucket on a local S3-compatible server (idempotent). Local test
/// servers accept the unsigned request; a real S3 endpoint is never used for tests.
pub async fn ensure_s3_test_bucket(endpoint: &str) {
    let url = format!("{}/{S3_TEST_BUCKET}", endpoint.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .put(&url)
        .send()
        .await
        .expect("reach GROUNDWORK_TEST_S3_URL");
    assert!(
        response.status().is_success() || response.status() == reqwest::StatusCode::CONFLICT,
        "creating the test bucket at {url} failed: {}",
        response.status()
    );
}

/// The `[storage]` keys that point a test app at the S3 test bucket, under a fresh prefix.
pub fn s3_test_storage(endpoint: &str) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("storage.backend", "s3".into()),
        ("storage.s3_bucket", S3_TEST_BUCKET.into()),
        ("storage.s3_endpoint", endpoint.into()),
        ("storage.s3_region", "us-east-1".into()),
        ("storage.s3_allow_http", true.into()),
        ("storage.s3_access_key_id", "test".into()),
        ("storage.s3_secret_access_key", "test".into()),
        (
            "storage.prefix",
            format!("t{}", Uuid::now_v7().simple()).into(),
        ),
    ]
}

/// A prefix unique to one test, for Redis keys and NATS subjects.
pub fn unique_prefix(test: &str) -> String {
    format!("gwtest:{test}:{}:", Uuid::now_v7().simple())
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let (before_query, query) = match rest.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or(before_query);
    let mut out = format!("{scheme}://{authority}/{database}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A PostgreSQL database created for one test and dropped (with its connections) when
/// this value is dropped.
pub struct TestDatabase {
    server_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates a database with a unique name on the server; returns it and its URL.
    pub async fn create(server_url: &str) -> (Self, String) {
        let name = format!("gw_test_{}", Uuid::now_v7().simple());
        let admin = Database::connect(server_url)
            .await
            .expect("connect to GROUNDWORK_TEST_POSTGRES_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let url = with_database(server_url, &name);
        (
            Self {
                server_url: server_url.to_owned(),
                name,
            },
            url,
        )
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot be blocked on; a helper
        // thread with its own runtime does the cleanup.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = Database::connect(&server_url).await.ok()?;
                admin.execute_unprepared(&sql).await.ok()?;
                admin.close().await.ok()
            })
        });
        let _ = cleanup.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_in_postgres_urls() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
    }
}
