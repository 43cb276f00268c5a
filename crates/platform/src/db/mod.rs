//! The relational database: one SeaORM connection pool, SQLite by default, PostgreSQL when
//! the URL says so.
//!
//! SQLite runs in WAL mode with `synchronous=NORMAL` (durable across application crashes,
//! may lose the last transactions on power loss, as documented by SQLite), foreign keys on,
//! and a busy timeout so that `groundwork users create` can write while `serve` runs; a
//! writer waiting for the lock retries every millisecond (see `sqlite_busy`).

pub mod bulk;
pub mod migrate;
pub mod schema;
mod sqlite_busy;

use std::path::PathBuf;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::Settings;

pub use migrate::{MigrationReport, SystemMigrations};
pub use sea_orm::DbBackend as Backend;

/// How long an SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A failure to open the database, with the target named (password redacted).
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The URL names a database we do not support.
    #[error("unsupported database URL scheme in {0} (use sqlite:// or postgres://)")]
    UnsupportedScheme(String),
    /// Connecting failed.
    #[error("cannot connect to {target}: {source}")]
    Connect {
        /// The database, with any password removed.
        target: String,
        /// The driver's error.
        source: DbErr,
    },
}

/// The URL the settings point at: the configured one, or the SQLite file in the data dir.
pub fn database_url(settings: &Settings) -> String {
    match &settings.database.url {
        Some(url) => url.expose().to_owned(),
        None => format!(
            "sqlite://{}?mode=rwc",
            settings.default_sqlite_path().display()
        ),
    }
}

/// A URL with any password replaced, fit for logs and error messages: the userinfo
/// password and the values of query parameters that carry secrets (`password`,
/// `sslpassword`, `secret`, `token`, `key`, ...).
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
                    format!("{scheme}://{user}:***@{host}{path}")
                }
                None => base.to_owned(),
            }
        }
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let sensitive = ["pass", "pwd", "secret", "token", "key"];
        let params: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _))
                    if sensitive
                        .iter()
                        .any(|s| name.to_ascii_lowercase().contains(s)) =>
                {
                    format!("{name}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// Opens the pool. For the default SQLite file, the data directory is created first.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbSetupError> {
    let url = database_url(settings);
    let backend =
        backend_of(&url).ok_or_else(|| DbSetupError::UnsupportedScheme(redact_url(&url)))?;
    if settings.database.url.is_none() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| DbSetupError::DataDir {
            path: settings.data_dir.clone(),
            source,
        })?;
    }
    let mut options = ConnectOptions::new(url.clone());
    let default_pool = if backend == DbBackend::Sqlite { 5 } else { 10 };
    options
        .max_connections(settings.database.max_connections.unwrap_or(default_pool))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // Covers the pragmas sqlx runs while opening; `after_connect` then
                // replaces it with the same timeout in 1 ms steps.
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        })
        .map_sqlx_sqlite_pool_opts(|pool| {
            pool.after_connect(|connection, _| {
                Box::pin(sqlite_busy::wait_in_short_steps(connection))
            })
        });
    Database::connect(options)
        .await
        .map_err(|source| DbSetupError::Connect {
            target: redact_url(&url),
            source,
        })
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a transaction that reads first and writes later would otherwise
/// fail with `SQLITE_BUSY` if another connection wrote in between, instead of waiting out
/// the busy timeout. Use it for every transaction that reads before it writes.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(options).await
}

/// Which backend a URL selects, if we support it.
pub fn backend_of(url: &str) -> Option<DbBackend> {
    let scheme = url.split_once(':')?.0;
    match scheme {
        "sqlite" => Some(DbBackend::Sqlite),
        "postgres" | "postgresql" => Some(DbBackend::Postgres),
        _ => None,
    }
}

/// Whether a database error is a unique-constraint violation, on either backend.
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// A `LIKE` pattern that matches values containing `text` literally, case-folded (compare
/// it with `lower(column)`): `%`, `_` and backslashes in the input are escaped. SQLite's `lower`
/// folds ASCII letters only, so on SQLite the match is case-insensitive for ASCII text.
pub fn contains_pattern(text: &str) -> sea_orm::sea_query::LikeExpr {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// Saves an active model read earlier in the same request; `None` if the row was deleted
/// in between (a lost race reads as "not found", never as a server error).
pub async fn update_if_present<A>(
    db: &impl sea_orm::ConnectionTrait,
    active: A,
) -> Result<Option<<A::Entity as sea_orm::EntityTrait>::Model>, DbErr>
where
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as sea_orm::EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    match active.update(db).await {
        Ok(row) => Ok(Some(row)),
        Err(DbErr::RecordNotUpdated) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Whether a database error is a foreign-key violation (a row still referenced), on
/// either backend.
pub fn is_foreign_key_violation(error: &DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))
    )
        // SQLite reports an `ON DELETE RESTRICT` refusal with extended code 1811
        // (SQLITE_CONSTRAINT_TRIGGER), which sea-orm does not classify; its message is fixed.
        || error.to_string().contains("FOREIGN KEY constraint failed")
}

/// Pool statistics for the metrics endpoint.
#[derive(Clone, Copy, Debug)]
pub struct PoolStats {
    /// Open connections.
    pub size: u32,
    /// Open connections not in use.
    pub idle: u32,
    /// The configured maximum.
    pub max: u32,
}

/// Reads the pool's current statistics.
pub fn pool_stats(db: &DatabaseConnection) -> Option<PoolStats> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some(PoolStats {
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            })
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some(PoolStats {
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Expr, ExprTrait, Query, SqliteQueryBuilder};

    #[test]
    fn contains_patterns_match_wildcards_literally_and_fold_case() {
        let sql = Query::select()
            .expr(
                Expr::col(sea_orm::sea_query::Alias::new("title"))
                    .like(contains_pattern("50%_Off\\")),
            )
            .to_string(SqliteQueryBuilder);
        assert!(sql.contains(r"LIKE '%50\%\_off\\%' ESCAPE '\'"), "{sql}");
    }

    #[test]
    fn passwords_are_removed_from_urls() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db.internal:5432/app?sslmode=require"),
            "postgres://app:***@db.internal:5432/app?sslmode=require"
        );
        assert_eq!(
            redact_url("sqlite://data/groundwork.db?mode=rwc"),
            "sqlite://data/groundwork.db?mode=rwc"
        );
        assert_eq!(
            redact_url(
                "postgres://db/app?user=app&password=hunter2&sslmode=verify-full&sslpassword=x"
            ),
            "postgres://db/app?user=app&password=***&sslmode=verify-full&sslpassword=***"
        );
    }

    #[test]
    fn the_default_url_is_an_sqlite_file_in_the_data_dir() {
        let settings = Settings::default();
        assert_eq!(
            database_url(&settings),
            "sqlite://data/groundwork.db?mode=rwc"
        );
        assert_eq!(
            backend_of(&database_url(&settings)),
            Some(DbBackend::Sqlite)
        );
        assert_eq!(backend_of("postgresql://x/y"), Some(DbBackend::Postgres));
        assert_eq!(backend_of("mysql://x/y"), None);
    }

    #[tokio::test]
    async fn the_sqlite_file_is_created_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().join("nested/data"),
            ..Settings::default()
        };
        let db = connect(&settings).await.unwrap();
        assert!(settings.default_sqlite_path().exists());
        let row = sea_orm::ConnectionTrait::query_one_raw(
            &db,
            sea_orm::Statement::from_string(DbBackend::Sqlite, "PRAGMA journal_mode"),
        )
        .await
        .unwrap()
        .unwrap();
        let mode: String = row.try_get_by_index(0).unwrap();
        assert_eq!(mode, "wal");
    }

    async fn sqlite_value(db: &impl sea_orm::ConnectionTrait, sql: &str) -> i64 {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    }

    #[tokio::test]
    async fn sqlite_writers_wait_for_the_lock_with_our_busy_handler() {
        use sea_orm::ConnectionTrait;
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        let db = connect(&settings).await.unwrap();
        // `PRAGMA busy_timeout` reads 0 once a custom handler replaced the timeout's own
        // (SQLite clears the timeout when a handler is set): ours is installed.
        assert_eq!(sqlite_value(&db, "PRAGMA busy_timeout").await, 0);
        db.execute_unprepared("CREATE TABLE t (n INTEGER)")
            .await
            .unwrap();

        // One connection holds the write lock while another writes: the second waits in
        // the handler (without it, it would fail at once with SQLITE_BUSY) and lands after.
        let holder = begin_write(&db).await.unwrap();
        holder
            .execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let waiter = {
            let db = db.clone();
            tokio::spawn(async move { db.execute_unprepared("INSERT INTO t VALUES (2)").await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !waiter.is_finished(),
            "the second writer waits for the lock"
        );
        holder.commit().await.unwrap();
        waiter.await.unwrap().unwrap();
        assert_eq!(sqlite_value(&db, "SELECT count(*) FROM t").await, 2);
    }
}
