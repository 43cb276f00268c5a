//! MySQL/MariaDB incremental backups from the binary log. A full backup records where its
//! snapshot sits in the binary log (MariaDB's `binlog_snapshot_file`/`_position`, read in
//! the snapshot's own transaction, so nothing is missed or doubled). Each incremental
//! backup reads the log from the previous backup's position to the end as it is now,
//! over the replication protocol (`mysql_wire`), and keeps this database's row events
//! as they are: the restore hands them back to the server (`BINLOG '...'`, as
//! `mariadb-binlog | mariadb` would), which applies them exactly as a replica does.
//!
//! The log must be in row format. A statement logged for this database (DDL, `TRUNCATE`,
//! or DML from a session that switched to statement format) cannot be replayed as rows,
//! so it ends the chain: the incremental backup fails and asks for a new full backup.

use std::collections::HashMap;

use base64::Engine as _;
use bytes::Bytes;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::{Connection as _, Row as _};

use super::mysql::connect;
use super::mysql_binlog::{self as binlog, Header, kind};
use super::mysql_wire::{Login, Streamed, WireConn};
use super::stream::LineFile;
use crate::error::{BackupError, Result};
use crate::files::Compression;
use crate::manifest::{ChangesEntry, Manifest};
use crate::target::Secret;

/// The key of a MySQL backup's settings that records its place in the binary log.
pub const BINLOG: &str = "binlog";

/// The key of an incremental backup's settings with each table's next AUTO_INCREMENT.
pub const AUTO_INCREMENT: &str = "auto_increment";

/// Raw bytes of one statement's events kept together; a larger statement (a million-row
/// `DELETE`) is cut into parts that each end the statement, so each `BINLOG` statement
/// stays well under the server's packet limit.
const GROUP_BYTES: usize = 2 * 1024 * 1024;

/// Bytes of change records handed to the file thread at once.
const BATCH_BYTES: usize = 256 * 1024;

/// `@mariadb_slave_capability` that makes MariaDB send its GTID events as they are.
const MARIADB_CAPABILITY_GTID: u32 = 4;

/// A place in the binary log: the next event to read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub file: String,
    pub position: u64,
    /// Read with the backup's snapshot (older dbbackups recorded `SHOW MASTER STATUS`
    /// without one: not a safe start for a chain).
    #[serde(default)]
    pub consistent: bool,
}

/// Where a backup's successor starts reading, if it can have one.
pub fn position(manifest: &Manifest) -> Option<Position> {
    if manifest.engine != "mysql" {
        return None;
    }
    let recorded = manifest.settings.get(BINLOG)?;
    serde_json::from_value::<Position>(recorded.clone())
        .ok()
        .filter(|position| position.consistent)
}

/// The position of a snapshot, asked inside its transaction (MariaDB). `None` when the
/// binary log is off or the server cannot say.
pub async fn snapshot_position(conn: &mut MySqlConnection) -> Option<Position> {
    let rows = sqlx::query("SHOW STATUS LIKE 'binlog_snapshot_%'")
        .fetch_all(&mut *conn)
        .await
        .ok()?;
    let value = |name: &str| {
        rows.iter().find_map(|row| {
            let key: String = row.try_get(0).ok()?;
            (key.eq_ignore_ascii_case(name))
                .then(|| row.try_get::<String, _>(1).ok())
                .flatten()
        })
    };
    let file = value("binlog_snapshot_file").filter(|file| !file.is_empty())?;
    let position = value("binlog_snapshot_position")?.parse().ok()?;
    Some(Position {
        file,
        position,
        consistent: true,
    })
}

/// What an incremental backup captured.
pub struct Captured {
    pub changes: ChangesEntry,
    pub version: String,
    /// The position the next incremental starts from, and the AUTO_INCREMENT positions.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// Writes the row events of `database` logged since `from` into `dir`.
pub async fn capture(
    options: &MySqlConnectOptions,
    password: &Secret,
    dir: &std::path::Path,
    compression: Compression,
    from: &Position,
) -> Result<Captured> {
    let database = options.get_database().unwrap_or_default().to_owned();
    let mut conn = connect(options, "").await?;
    let (version, end) = check_server(&mut conn, from).await?;
    let file = format!("changes.jsonl.{}", compression.suffix());
    let out = LineFile::create(&dir.join(&file), compression)?;
    let read = if (&end.file, end.position) == (&from.file, from.position) {
        Ok(Reader::new(&database, from))
    } else {
        read_log(options, password, &database, from, &end, &out).await
    };
    let (written, checksum) = out.finish().await?;
    let read = read?;
    let mut settings = serde_json::Map::new();
    settings.insert(
        BINLOG.to_owned(),
        serde_json::to_value(&read.boundary).unwrap_or_default(),
    );
    // Read after the log, so they are at or past its last insert (a gap, never a reuse).
    settings.insert(
        AUTO_INCREMENT.to_owned(),
        auto_increments(&mut conn).await?.into(),
    );
    conn.close().await.ok();
    Ok(Captured {
        changes: ChangesEntry {
            transactions: read.transactions,
            statements: read.statements,
            first_commit: read.first_commit,
            last_commit: read.last_commit,
            ..ChangesEntry::written(file, written, &checksum)
        },
        version,
        settings,
    })
}

/// The server must log in row format and still have the file the chain continues from.
/// Returns its version and the end of its log now.
async fn check_server(conn: &mut MySqlConnection, from: &Position) -> Result<(String, Position)> {
    let (version, log_bin, format): (String, i64, String) =
        sqlx::query_as("SELECT VERSION(), @@global.log_bin, CAST(@@global.binlog_format AS CHAR)")
            .fetch_one(&mut *conn)
            .await?;
    if log_bin == 0 {
        return Err(BackupError::failed("the server's binary log is off, so the changes since the previous backup were not kept")
            .hint("start the server with log_bin (and binlog_format = ROW), then take a new full backup"));
    }
    if !format.eq_ignore_ascii_case("ROW") {
        return Err(BackupError::failed(format!(
            "the server logs in {format} format; incremental backups replay row events and need binlog_format = ROW"
        ))
        .hint("SET GLOBAL binlog_format = ROW (and in the server's configuration), then take a new full backup"));
    }
    let files: Vec<String> = sqlx::query("SHOW BINARY LOGS")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .filter_map(|row| row.try_get::<String, _>(0).ok())
        .collect();
    if !files.contains(&from.file) {
        return Err(BackupError::failed(format!(
            "the server no longer has binary log {}, where the changes since the previous backup start",
            from.file
        ))
        .hint("take a new full backup; keep binary logs longer than the time between backups (binlog_expire_logs_seconds)"));
    }
    let row = sqlx::query("SHOW MASTER STATUS")
        .fetch_one(&mut *conn)
        .await?;
    let end = Position {
        file: row.try_get(0)?,
        position: row.try_get(1)?,
        consistent: true,
    };
    Ok((version, end))
}

/// Each table's next AUTO_INCREMENT value.
async fn auto_increments(
    conn: &mut MySqlConnection,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let rows: Vec<(String, u64)> = sqlx::query_as(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(AUTO_INCREMENT AS UNSIGNED) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(table, next)| (table, next.into()))
        .collect())
}

/// Streams the log from `from` to `end` through a [`Reader`].
async fn read_log(
    options: &MySqlConnectOptions,
    password: &Secret,
    database: &str,
    from: &Position,
    end: &Position,
    out: &LineFile,
) -> Result<Reader> {
    let login = Login {
        host: options.get_host(),
        port: options.get_port(),
        user: options.get_username(),
        password: password.0.as_deref(),
    };
    let mut wire = WireConn::connect(&login).await?;
    // Events come checksummed as the server stores them; MariaDB sends its own GTIDs.
    wire.execute("SET @master_binlog_checksum = @@global.binlog_checksum")
        .await?;
    wire.execute(&format!(
        "SET @mariadb_slave_capability = {MARIADB_CAPABILITY_GTID}"
    ))
    .await?;
    let position = u32::try_from(from.position)
        .map_err(|_| BackupError::failed("the previous backup's log position is out of range"))?;
    wire.dump_binlog(&from.file, position, replica_id()).await?;
    let mut reader = Reader::new(database, from);
    loop {
        let event = match wire.next_event().await? {
            Streamed::Event(event) => event,
            Streamed::End => break,
        };
        if let Some(lines) = reader.event(&event)? {
            out.send(lines).await;
        }
        if !reader.in_transaction
            && (&reader.file, reader.boundary.position) >= (&end.file, end.position)
        {
            break;
        }
    }
    if reader.open_changes {
        return Err(BackupError::failed(format!(
            "a transaction that changed {database} had not ended where the log was read to (an XA transaction?)"
        ))
        .hint("nothing was kept; try again once it has committed"));
    }
    out.send(reader.take_lines()).await;
    Ok(reader)
}

/// A server id for the log reader: random, high, so that it does not displace a replica.
fn replica_id() -> u32 {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    u32::from_le_bytes(bytes) | 0x8000_0000
}

/// Follows the log event by event: which file it is in, where the last complete event
/// group ended, and this database's row events, written out statement by statement.
struct Reader {
    database: String,
    /// The file being read, and the position after the last complete group.
    file: String,
    boundary: Position,
    checksummed: bool,
    in_transaction: bool,
    standalone: bool,
    /// This transaction has written row events (its commit record is owed).
    open_changes: bool,
    /// This statement's table maps of this database, by table id.
    maps: HashMap<u64, Vec<u8>>,
    map_order: Vec<u64>,
    /// This statement's row events of this database, not yet written.
    rows: Vec<Vec<u8>>,
    rows_bytes: usize,
    lines: Vec<u8>,
    statements: u64,
    transactions: u64,
    first_commit: Option<String>,
    last_commit: Option<String>,
}

impl Reader {
    fn new(database: &str, from: &Position) -> Self {
        Self {
            database: database.to_owned(),
            file: from.file.clone(),
            boundary: from.clone(),
            checksummed: true,
            in_transaction: false,
            standalone: false,
            open_changes: false,
            maps: HashMap::new(),
            map_order: Vec::new(),
            rows: Vec::new(),
            rows_bytes: 0,
            lines: Vec::new(),
            statements: 0,
            transactions: 0,
            first_commit: None,
            last_commit: None,
        }
    }

    /// Takes one event; returns a batch of lines once enough have gathered.
    fn event(&mut self, event: &[u8]) -> Result<Option<Bytes>> {
        let header = binlog::header(event)
            .ok_or_else(|| BackupError::failed("the server sent a binary log event cut short"))?;
        if header.kind == kind::FORMAT_DESCRIPTION {
            self.checksummed = binlog::crc_after(event);
            self.line(&serde_json::json!({ "format": encode(event) }));
        } else if self.checksummed && header.kind != kind::ROTATE && !binlog::crc_ok(event) {
            return Err(BackupError::failed(format!(
                "a binary log event in {} (ending at {}) does not match its checksum",
                self.file, header.end
            )));
        }
        match header.kind {
            kind::ROTATE => {
                // The rotate the server makes up at the start of a stream may come without a
                // checksum; its trailer tells.
                if let Some(file) = binlog::rotate_target(event, binlog::crc_ok(event)) {
                    self.file = file;
                    if !self.in_transaction {
                        self.boundary.file = self.file.clone();
                        self.boundary.position = 4;
                    }
                }
                return Ok(self.batch());
            }
            kind::GTID => {
                self.in_transaction = true;
                self.standalone = binlog::gtid_standalone(event, self.checksummed);
            }
            kind::QUERY | kind::QUERY_COMPRESSED => {
                self.statement(event, header)?;
            }
            kind::TABLE_MAP => {
                let ours = binlog::table_map_names(event)
                    .is_some_and(|(db, _)| db == self.database.as_bytes());
                if let (true, Some(id)) = (ours, binlog::table_id(event))
                    && self.maps.insert(id, event.to_vec()).is_none()
                {
                    self.map_order.push(id);
                }
            }
            kind::XID => self.end_transaction(header),
            kind if binlog::is_rows(kind) => self.rows(event, header),
            _ => {}
        }
        if !self.in_transaction && header.end != 0 {
            self.boundary.file = self.file.clone();
            self.boundary.position = u64::from(header.end);
        }
        Ok(self.batch())
    }

    /// A statement event: transaction control, or a change that cannot be replayed.
    fn statement(&mut self, event: &[u8], header: Header) -> Result {
        let compressed = header.kind == kind::QUERY_COMPRESSED;
        let (db, text) = binlog::query_parts(event, self.checksummed, compressed)
            .ok_or_else(|| BackupError::failed("the server sent a statement event cut short"))?;
        let word = text.map(|text| String::from_utf8_lossy(text).trim().to_uppercase());
        match word.as_deref() {
            Some("BEGIN") => self.in_transaction = true,
            Some("COMMIT" | "ROLLBACK") => self.end_transaction(header),
            // ORMs set savepoints all the time; the server logs them, and leaves out the
            // rows a rollback to one undid (unless non-transactional tables changed too:
            // then `ROLLBACK TO` is logged, and refused below).
            Some(word) if word.starts_with("SAVEPOINT ") => {}
            _ => {
                let ours = db == self.database.as_bytes()
                    || text.is_some_and(|text| binlog::mentions(text, &self.database));
                if ours {
                    let shown: String = text
                        .map(|text| String::from_utf8_lossy(text).trim().to_owned())
                        .unwrap_or_else(|| "(compressed)".to_owned())
                        .chars()
                        .take(120)
                        .collect();
                    return Err(BackupError::failed(format!(
                        "the binary log holds a statement for {}, not row changes, which an incremental backup cannot replay: {shown}",
                        self.database
                    ))
                    .hint("a schema change (or TRUNCATE, or a session in statement format) ends the chain: take a new full backup"));
                }
                if self.standalone {
                    self.end_transaction(header);
                }
            }
        }
        Ok(())
    }

    fn rows(&mut self, event: &[u8], header: Header) {
        let ours = binlog::table_id(event).is_some_and(|id| self.maps.contains_key(&id));
        if ours {
            self.rows_bytes += event.len();
            self.rows.push(event.to_vec());
            self.open_changes = true;
            if self.rows_bytes >= GROUP_BYTES {
                self.flush_statement();
            }
        }
        if binlog::ends_statement(event) {
            self.flush_statement();
            self.maps.clear();
            self.map_order.clear();
            if self.standalone {
                self.end_transaction(header);
            }
        }
    }

    /// Writes this statement's row events so far, after the table maps they need, the
    /// last one marked as ending the statement.
    fn flush_statement(&mut self) {
        let Some(last) = self.rows.pop() else { return };
        let mut events = Vec::with_capacity(self.rows_bytes + 1024);
        for id in &self.map_order {
            events.extend_from_slice(&self.maps[id]);
        }
        for row in self.rows.drain(..) {
            events.extend_from_slice(&row);
        }
        events.extend_from_slice(&binlog::ending_statement(&last, self.checksummed));
        self.line(&serde_json::json!({ "events": encode(&events) }));
        self.statements += 1;
        self.rows_bytes = 0;
    }

    fn end_transaction(&mut self, header: Header) {
        self.flush_statement();
        if self.open_changes {
            let at = chrono::DateTime::from_timestamp(i64::from(header.timestamp), 0)
                .unwrap_or_default()
                .to_rfc3339();
            self.transactions += 1;
            self.line(&serde_json::json!({ "commit": self.transactions, "at": at }));
            self.first_commit.get_or_insert_with(|| at.clone());
            self.last_commit = Some(at);
        }
        self.open_changes = false;
        self.in_transaction = false;
        self.standalone = false;
    }

    fn line(&mut self, record: &serde_json::Value) {
        self.lines.extend_from_slice(record.to_string().as_bytes());
        self.lines.push(b'\n');
    }

    fn batch(&mut self) -> Option<Bytes> {
        (self.lines.len() >= BATCH_BYTES).then(|| self.take_lines())
    }

    fn take_lines(&mut self) -> Bytes {
        Bytes::from(std::mem::take(&mut self.lines))
    }
}

fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
