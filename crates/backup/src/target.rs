//! Which database to talk to: `--url`, or `--engine` with `--host --port --user --db`, and
//! the password from `--password-file`, `DBBACKUP_PASSWORD`, the engine's own variable
//! (`PGPASSWORD`, `MYSQL_PWD`), or `--password` (visible in process listings: discouraged).

use std::path::PathBuf;
use std::str::FromStr as _;

use sqlx::Connection as _;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::cli::ConnectArgs;
use crate::error::{BackupError, Result};

/// Sets host, database, and the optional port, user and password on either engine's
/// options (the two types share these method names but no trait).
macro_rules! with_parts {
    ($options:expr, $host:expr, $db:expr, $args:expr, $password:expr) => {{
        let mut options = $options.host($host).database($db);
        if let Some(port) = $args.port {
            options = options.port(port);
        }
        if let Some(user) = &$args.user {
            options = options.username(user);
        }
        if let Some(password) = $password {
            options = options.password(password);
        }
        options
    }};
}

/// The engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
    /// An SQLite file.
    Sqlite,
}

impl Engine {
    /// The name used in manifests.
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
            Self::Sqlite => "sqlite",
        }
    }
}

/// A resolved target.
#[derive(Clone, Debug)]
pub enum Target {
    /// A PostgreSQL database, with the password given to dbbackup (if any) for `pg_dump`.
    Postgres(PgConnectOptions, Secret),
    /// A MySQL or MariaDB database, with the password given to dbbackup (if any) for the
    /// binary log reader of incremental backups.
    Mysql(MySqlConnectOptions, Secret),
    /// An SQLite file.
    Sqlite(PathBuf),
}

impl Target {
    /// From the connection flags.
    pub fn from_args(args: &ConnectArgs) -> Result<Self> {
        let password = password(args)?;
        if let Some(url) = &args.url {
            return Self::from_url(url, password);
        }
        let engine = args.engine.ok_or_else(|| {
            BackupError::usage("say which database: --url, or --engine with --db").hint(
                "dbbackup test-connection --engine postgres --host localhost --user me --db shop",
            )
        })?;
        let db = args.db.clone().ok_or_else(|| {
            BackupError::usage("--db is missing (the database name, or the SQLite file)")
        })?;
        let host = args.host.clone().unwrap_or_else(|| "localhost".to_owned());
        Ok(match engine {
            Engine::Sqlite => Self::Sqlite(PathBuf::from(db)),
            Engine::Postgres => Self::Postgres(
                with_parts!(PgConnectOptions::new(), &host, &db, args, &password),
                Secret(password),
            ),
            Engine::Mysql => Self::Mysql(
                with_parts!(MySqlConnectOptions::new(), &host, &db, args, &password),
                Secret(password),
            ),
        })
    }

    fn from_url(url: &str, password: Option<String>) -> Result<Self> {
        let bad = |error: sqlx::Error| {
            BackupError::usage(format!("cannot read the URL: {error}"))
                .hint("postgres://user@host:5432/db, mysql://user@host:3306/db or sqlite:///path/to/file.db")
        };
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        Ok(match scheme {
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url).map_err(bad)?;
                let password = password.or_else(|| url_password(url));
                match password {
                    Some(password) => {
                        Self::Postgres(options.password(&password), Secret(Some(password)))
                    }
                    None => Self::Postgres(options, Secret(None)),
                }
            }
            "mysql" | "mariadb" => {
                let url = url.replacen("mariadb:", "mysql:", 1);
                let options = MySqlConnectOptions::from_str(&url).map_err(bad)?;
                let password = password.or_else(|| url_password(&url));
                match password {
                    Some(password) => {
                        Self::Mysql(options.password(&password), Secret(Some(password)))
                    }
                    None => Self::Mysql(options, Secret(None)),
                }
            }
            "sqlite" => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                Self::Sqlite(PathBuf::from(path))
            }
            _ => {
                return Err(BackupError::usage(format!(
                    "\"{scheme}\" is not an engine dbbackup knows"
                ))
                .hint("URLs start with postgres://, mysql://, mariadb:// or sqlite://"));
            }
        })
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Postgres(..) => Engine::Postgres,
            Self::Mysql(..) => Engine::Mysql,
            Self::Sqlite(_) => Engine::Sqlite,
        }
    }

    /// The database's name, for backup names and messages (never the password).
    pub fn database(&self) -> String {
        match self {
            Self::Postgres(options, _) => options.get_database().unwrap_or("postgres").to_owned(),
            Self::Mysql(options, _) => options.get_database().unwrap_or("mysql").to_owned(),
            Self::Sqlite(path) => path.file_stem().map_or_else(
                || "sqlite".to_owned(),
                |stem| stem.to_string_lossy().into_owned(),
            ),
        }
    }

    /// Where it is, without the password.
    pub fn describe(&self) -> String {
        match self {
            Self::Postgres(options, _) => format!(
                "PostgreSQL {}@{}:{}/{}",
                options.get_username(),
                options.get_host(),
                options.get_port(),
                self.database()
            ),
            Self::Mysql(options, _) => format!(
                "MySQL {}@{}:{}/{}",
                options.get_username(),
                options.get_host(),
                options.get_port(),
                self.database()
            ),
            Self::Sqlite(path) => format!("SQLite {}", path.display()),
        }
    }

    /// Connects, checks the credentials, and returns the server's version: the first step
    /// of every command, so a wrong password is an error before any file is written.
    pub async fn check(&self) -> Result<String> {
        let unreachable = |error: sqlx::Error| {
            let hint = match &error {
                sqlx::Error::Io(_) => "is the server running, and are --host and --port right?",
                sqlx::Error::Database(_) => "check --user, the password and --db",
                _ => "check the connection settings",
            };
            BackupError::failed(format!(
                "cannot connect to {}: {}",
                self.describe(),
                short(&error)
            ))
            .hint(hint)
        };
        match self {
            Self::Postgres(options, _) => {
                let mut conn = PgConnection::connect_with(options)
                    .await
                    .map_err(unreachable)?;
                let version: String = sqlx::query_scalar("SHOW server_version")
                    .fetch_one(&mut conn)
                    .await?;
                conn.close().await.ok();
                Ok(version)
            }
            Self::Mysql(options, _) => {
                let mut conn = MySqlConnection::connect_with(options)
                    .await
                    .map_err(unreachable)?;
                let version: String = sqlx::query_scalar("SELECT VERSION()")
                    .fetch_one(&mut conn)
                    .await?;
                conn.close().await.ok();
                Ok(version)
            }
            Self::Sqlite(path) => {
                let mut conn = open_sqlite(path, true).await?;
                // Reading the schema is what finds a file that is not a database.
                let not_a_database = |error: sqlx::Error| {
                    BackupError::failed(format!(
                        "{} is not an SQLite database: {}",
                        path.display(),
                        short(&error)
                    ))
                    .hint("check the path; the file was not changed")
                };
                sqlx::query("SELECT count(*) FROM sqlite_master")
                    .execute(&mut conn)
                    .await
                    .map_err(not_a_database)?;
                let version: String = sqlx::query_scalar("SELECT sqlite_version()")
                    .fetch_one(&mut conn)
                    .await
                    .map_err(not_a_database)?;
                Ok(version)
            }
        }
    }
}

/// Opens an SQLite file that must exist; read-only for backups.
pub async fn open_sqlite(path: &std::path::Path, read_only: bool) -> Result<SqliteConnection> {
    if !path.is_file() {
        return Err(
            BackupError::failed(format!("{} does not exist", path.display()))
                .hint("give the path of an SQLite database file with --db or sqlite:///path"),
        );
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .busy_timeout(std::time::Duration::from_secs(30));
    SqliteConnection::connect_with(&options)
        .await
        .map_err(|error| {
            BackupError::failed(format!("cannot open {}: {}", path.display(), short(&error)))
        })
}

/// A database error without sqlx's wrapping.
pub fn short(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .map_or_else(|| error.to_string(), |db| db.message().to_owned())
}

fn password(args: &ConnectArgs) -> Result<Option<String>> {
    if let Some(path) = &args.password_file {
        let text =
            std::fs::read_to_string(path).map_err(|error| BackupError::io("read", path, &error))?;
        return Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()));
    }
    if let Some(password) = &args.password {
        return Ok(Some(password.clone()));
    }
    if args.ask_password {
        return crate::prompt::password("password: ").map(Some);
    }
    let engine_variable = match args.engine {
        Some(Engine::Postgres) => "PGPASSWORD",
        Some(Engine::Mysql) => "MYSQL_PWD",
        _ => "",
    };
    Ok(["DBBACKUP_PASSWORD", engine_variable]
        .iter()
        .filter(|name| !name.is_empty())
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty())))
}

/// A password that never shows in `Debug` output.
#[derive(Clone, Default)]
pub struct Secret(pub Option<String>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(if self.0.is_some() {
            "Secret(***)"
        } else {
            "Secret(None)"
        })
    }
}

/// The password inside a connection URL, percent-decoded.
fn url_password(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let encoded = parsed.password()?.as_bytes();
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut index = 0;
    while index < encoded.len() {
        let escaped = encoded
            .get(index + 1..index + 3)
            .filter(|_| encoded[index] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(encoded[index]);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}
