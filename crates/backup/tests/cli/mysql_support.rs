//! Throwaway MySQL/MariaDB databases for the round-trip tests, on the server that
//! `GROUNDWORK_TEST_MYSQL_URL` names (skipped without it, unless services are required).

use sqlx::mysql::MySqlConnection;
use sqlx::{Connection as _, Executor as _, Row as _};

/// Sakila (adapted: see test-data/README.md) and a table of every column type.
pub const SAKILA_SCHEMA: &str = include_str!("../../test-data/sakila-mysql/sakila-schema.sql");
pub const SAKILA_DATA: &str = include_str!("../../test-data/sakila-mysql/sakila-data.sql");
pub const EVERY_TYPE: &str = include_str!("../../test-data/sakila-mysql/every-type.sql");

/// A database created for one test and dropped after it.
pub struct Database {
    server: String,
    pub name: String,
    pub url: String,
}

/// The server URL, or `None` (the test is skipped) when it is not set and not required.
pub fn server() -> Option<String> {
    crate::support::service("GROUNDWORK_TEST_MYSQL_URL")
}

impl Database {
    /// A new, empty database.
    pub async fn create(server: &str, label: &str) -> Self {
        let name = crate::support::unique_database(label);
        let mut admin = MySqlConnection::connect(server).await.unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
            )))
            .await
            .unwrap();
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        Self {
            server: server.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// A connection to it.
    pub async fn connect(&self) -> MySqlConnection {
        MySqlConnection::connect(&self.url).await.unwrap()
    }

    /// Runs a script as the `mysql` client would, `DELIMITER` lines included.
    pub async fn run(&self, script: &str) {
        let mut conn = self.connect().await;
        // Test data is made with recursive CTEs longer than MariaDB's default 1,000 steps.
        conn.execute("SET SESSION max_recursive_iterations = 1000000")
            .await
            .unwrap();
        for statement in statements(script) {
            conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone())))
                .await
                .unwrap_or_else(|error| {
                    panic!("{error}: {}", &statement[..statement.len().min(300)])
                });
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        crate::support::on_own_runtime(async move {
            if let Ok(mut admin) = MySqlConnection::connect(&server).await {
                let _ = admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS `{name}`"
                    )))
                    .await;
            }
        });
    }
}

/// Splits a client script into statements: a line ending with the delimiter ends one, and
/// `DELIMITER x` changes the delimiter.
fn statements(script: &str) -> Vec<String> {
    let mut delimiter = ";".to_owned();
    let mut out = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        if let Some(new) = line.trim().strip_prefix("DELIMITER ") {
            delimiter = new.trim().to_owned();
            continue;
        }
        if current.is_empty() && (line.trim().is_empty() || line.trim_start().starts_with("--")) {
            continue;
        }
        let trimmed = line.trim_end();
        if let Some(body) = trimmed.strip_suffix(delimiter.as_str()) {
            current.push_str(body);
            if !current.trim().is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// Every object as the server shows it (`SHOW CREATE ...`, with the session each routine,
/// trigger and view was made in), with the database's name taken out.
pub async fn catalog(conn: &mut MySqlConnection, database: &str) -> Vec<String> {
    let objects: Vec<(String, String)> = sqlx::query_as(
        "SELECT IF(TABLE_TYPE = 'VIEW', 'VIEW', 'TABLE'), CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
         UNION ALL SELECT CAST(ROUTINE_TYPE AS CHAR), CAST(ROUTINE_NAME AS CHAR) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() \
         UNION ALL SELECT 'TRIGGER', CAST(TRIGGER_NAME AS CHAR) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() \
         UNION ALL SELECT 'EVENT', CAST(EVENT_NAME AS CHAR) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() \
         ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for (kind, name) in objects {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SHOW CREATE {kind} `{name}`")))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let mut shown = format!("{kind} {name}:");
        for (index, column) in row.columns().iter().enumerate() {
            let name = sqlx::Column::name(column);
            if name == "Created" || name == "Database Collation" {
                continue;
            }
            let value: Option<String> = row.try_get_unchecked(index).ok().flatten();
            shown.push_str(&format!(" {name}={}", value.unwrap_or_default()));
        }
        out.push(shown.replace(database, "DB"));
    }
    out
}

/// Every table's row count and the server's own `CHECKSUM TABLE` (independent of dbbackup).
pub async fn contents(conn: &mut MySqlConnection) -> Vec<(String, i64, Option<i64>)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM `{table}`"
        )))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let checksum = sqlx::query(sqlx::AssertSqlSafe(format!("CHECKSUM TABLE `{table}`")))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        out.push((table, rows, checksum.try_get(1).unwrap()));
    }
    out
}
