//! Running the binary and building sample databases.

use std::path::Path;
use std::process::{Command, Output};

use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// What a run returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `dbbackup <args>`.
pub fn dbbackup(args: &[&str]) -> Run {
    dbbackup_with(args, &[])
}

/// Runs `dbbackup <args>` with these environment variables.
pub fn dbbackup_with(args: &[&str], env: &[(&str, &str)]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_dbbackup"))
        .args(args)
        .env_remove("DBBACKUP_PASSWORD")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs and insists on success.
pub fn ok(args: &[&str]) -> String {
    let run = dbbackup(args);
    assert_eq!(
        run.code, 0,
        "dbbackup {args:?}: {}{}",
        run.stdout, run.stderr
    );
    run.stdout
}

/// Runs a command that must fail with exit `code` and say `expected` on stderr.
pub fn refused(args: &[&str], code: i32, expected: &str) -> Run {
    let run = dbbackup(args);
    assert_eq!(run.code, code, "dbbackup {args:?}: {}", run.stderr);
    assert!(
        run.stderr.contains(expected),
        "dbbackup {args:?}: {}",
        run.stderr
    );
    run
}

/// Opens (creating) an SQLite file.
pub async fn open(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true),
    )
    .await
    .unwrap()
}

/// Every schema object's SQL, by name.
pub async fn schema(path: &Path) -> Vec<(String, String, Option<String>)> {
    let mut conn = open(path).await;
    sqlx::query_as("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

/// A table's rows, each rendered with `quote()` (which shows type and exact value), by rowid or key.
pub async fn rows(path: &Path, table: &str, order: &str) -> Vec<String> {
    let mut conn = open(path).await;
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_xinfo(?) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let rendered: Vec<String> = columns
        .iter()
        .map(|column| format!("quote(\"{column}\")"))
        .collect();
    let sql = format!(
        "SELECT {} FROM \"{table}\" ORDER BY {order}",
        rendered.join(" || '|' || ")
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

/// A service URL from `variable`, or `None` (the test is skipped) when it is not set and
/// `GROUNDWORK_REQUIRE_SERVICES` does not require it.
pub fn service(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) => Some(url),
        Err(_) => {
            let required =
                std::env::var("GROUNDWORK_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
            assert!(!required, "{variable} is required");
            None
        }
    }
}

/// A database name no other test (or run) uses.
pub fn unique_database(label: &str) -> String {
    format!(
        "dbbackup_{label}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

/// Runs `drop` on a runtime of its own: a `Drop` runs inside the test's runtime, which
/// cannot block.
pub fn on_own_runtime<F: std::future::Future<Output = ()> + Send + 'static>(work: F) {
    let _ = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work);
    })
    .join();
}

/// A task committing one statement after another on its own connection until stopped: the
/// writes a backup must take (or leave) whole.
pub struct Writer {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<u64>,
}

impl Writer {
    /// Starts running `sql` in a loop on `conn` (PostgreSQL or MySQL).
    pub fn start<C>(mut conn: C, sql: &'static str) -> Self
    where
        C: Send + 'static,
        for<'c> &'c mut C: sqlx::Executor<'c>,
    {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut written = 0u64;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
                written += 1;
            }
            written
        });
        Self { stop, task }
    }

    /// Stops it; how many times the statement ran.
    pub async fn stop(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.task.await.unwrap()
    }
}
