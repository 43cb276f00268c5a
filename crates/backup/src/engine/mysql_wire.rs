//! Just enough of the MySQL client protocol to read a server's binary log: the handshake
//! (with `mysql_native_password`, the login MariaDB gives users by default), simple
//! queries, and `COM_BINLOG_DUMP`. sqlx, which dbbackup uses for everything else, has no
//! way to send a replication command.
//!
//! Not supported here: TLS, and other login plugins (`caching_sha2_password`, `ed25519`);
//! both are refused with a clear error before anything is written.

use sha1::{Digest as _, Sha1};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _, BufReader, BufWriter};
use tokio::net::TcpStream;

use crate::error::{BackupError, Result};

/// Capability flags sent in the handshake response.
const CLIENT_LONG_PASSWORD: u32 = 1;
const CLIENT_LONG_FLAG: u32 = 4;
const CLIENT_PROTOCOL_41: u32 = 0x200;
const CLIENT_TRANSACTIONS: u32 = 0x2000;
const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
const CLIENT_PLUGIN_AUTH: u32 = 0x8_0000;

/// Commands.
const COM_QUERY: u8 = 0x03;
const COM_BINLOG_DUMP: u8 = 0x12;

/// `COM_BINLOG_DUMP` flag: end the stream at the end of the log instead of waiting.
const BINLOG_DUMP_NON_BLOCK: u16 = 1;

/// A payload of this length continues in the next packet.
const MAX_PAYLOAD: usize = 0xFF_FFFF;

/// utf8mb4_general_ci.
const UTF8MB4: u8 = 45;

const NATIVE_PASSWORD: &str = "mysql_native_password";

/// Where and as whom to log in.
pub struct Login<'a> {
    pub host: &'a str,
    pub port: u16,
    pub user: &'a str,
    pub password: Option<&'a str>,
}

/// One connection speaking the protocol.
pub struct WireConn {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: BufWriter<tokio::net::tcp::OwnedWriteHalf>,
    sequence: u8,
}

/// A packet from a binlog stream.
pub enum Streamed {
    /// One binlog event (its bytes, header first).
    Event(Vec<u8>),
    /// The end of the log (the stream was asked not to wait).
    End,
}

fn protocol_error(what: &str) -> BackupError {
    BackupError::failed(format!(
        "the MySQL server sent something unexpected while {what}"
    ))
}

/// An error packet's message (`0xFF`, code, `#` and SQL state, text).
fn server_error(payload: &[u8]) -> BackupError {
    let code = payload
        .get(1..3)
        .map_or(0, |bytes| u16::from_le_bytes([bytes[0], bytes[1]]));
    let mut text = payload.get(3..).unwrap_or_default();
    if text.first() == Some(&b'#') {
        text = text.get(6..).unwrap_or_default();
    }
    BackupError::failed(format!(
        "the MySQL server said: {} (error {code})",
        String::from_utf8_lossy(text)
    ))
}

/// `mysql_native_password`: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))).
fn native_password(password: &str, scramble: &[u8]) -> Vec<u8> {
    if password.is_empty() {
        return Vec::new();
    }
    let once = Sha1::digest(password.as_bytes());
    let twice = Sha1::digest(once);
    let mut salted = Sha1::new();
    salted.update(scramble);
    salted.update(twice);
    let salted = salted.finalize();
    once.iter().zip(salted.iter()).map(|(a, b)| a ^ b).collect()
}

/// Reads a NUL-terminated string from the front of `bytes`.
fn take_cstr<'a>(bytes: &mut &'a [u8]) -> Option<&'a [u8]> {
    let end = bytes.iter().position(|&byte| byte == 0)?;
    let text = &bytes[..end];
    *bytes = &bytes[end + 1..];
    Some(text)
}

impl WireConn {
    /// Connects and logs in.
    pub async fn connect(login: &Login<'_>) -> Result<Self> {
        let stream = TcpStream::connect((login.host, login.port))
            .await
            .map_err(|error| {
                BackupError::failed(format!(
                    "cannot connect to MySQL at {}:{} to read its binary log: {error}",
                    login.host, login.port
                ))
            })?;
        stream.set_nodelay(true).ok();
        let (read, write) = stream.into_split();
        let mut conn = Self {
            reader: BufReader::with_capacity(256 * 1024, read),
            writer: BufWriter::new(write),
            sequence: 0,
        };
        conn.log_in(login).await?;
        Ok(conn)
    }

    async fn log_in(&mut self, login: &Login<'_>) -> Result {
        let greeting = self.read_payload().await?;
        if greeting.first() == Some(&0xFF) {
            return Err(server_error(&greeting));
        }
        let (mut scramble, plugin) =
            parse_greeting(&greeting).ok_or_else(|| protocol_error("greeting"))?;
        let password = login.password.unwrap_or("");
        let capabilities = CLIENT_LONG_PASSWORD
            | CLIENT_LONG_FLAG
            | CLIENT_PROTOCOL_41
            | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION
            | CLIENT_PLUGIN_AUTH;
        let auth = if plugin == NATIVE_PASSWORD {
            native_password(password, &scramble)
        } else {
            Vec::new()
        };
        let mut response = Vec::with_capacity(64 + login.user.len());
        response.extend_from_slice(&capabilities.to_le_bytes());
        response.extend_from_slice(&(MAX_PAYLOAD as u32).to_le_bytes());
        response.push(UTF8MB4);
        response.extend_from_slice(&[0; 23]);
        response.extend_from_slice(login.user.as_bytes());
        response.push(0);
        response.push(u8::try_from(auth.len()).unwrap_or(0));
        response.extend_from_slice(&auth);
        response.extend_from_slice(NATIVE_PASSWORD.as_bytes());
        response.push(0);
        self.write_payload(&response).await?;
        loop {
            let reply = self.read_payload().await?;
            match reply.first() {
                Some(0x00) => return Ok(()),
                Some(0xFF) => return Err(server_error(&reply)),
                // Auth switch: the plugin the account uses, and a new scramble.
                Some(0xFE) => {
                    let mut rest = &reply[1..];
                    let plugin = take_cstr(&mut rest).unwrap_or_default();
                    if plugin != NATIVE_PASSWORD.as_bytes() {
                        return Err(unsupported_login(&String::from_utf8_lossy(plugin)));
                    }
                    scramble = rest.strip_suffix(&[0]).unwrap_or(rest).to_vec();
                    let auth = native_password(password, &scramble);
                    self.write_payload(&auth).await?;
                }
                _ => return Err(unsupported_login(&plugin)),
            }
        }
    }

    /// Runs a statement that returns no rows.
    pub async fn execute(&mut self, sql: &str) -> Result {
        self.sequence = 0;
        let mut payload = Vec::with_capacity(1 + sql.len());
        payload.push(COM_QUERY);
        payload.extend_from_slice(sql.as_bytes());
        self.write_payload(&payload).await?;
        let reply = self.read_payload().await?;
        match reply.first() {
            Some(0x00) => Ok(()),
            Some(0xFF) => Err(server_error(&reply)),
            _ => Err(protocol_error("running a statement")),
        }
    }

    /// Asks for the binary log from `file` at `position`, as replica `server_id`, up to
    /// the end of the log as it is now.
    pub async fn dump_binlog(&mut self, file: &str, position: u32, server_id: u32) -> Result {
        self.sequence = 0;
        let mut payload = Vec::with_capacity(11 + file.len());
        payload.push(COM_BINLOG_DUMP);
        payload.extend_from_slice(&position.to_le_bytes());
        payload.extend_from_slice(&BINLOG_DUMP_NON_BLOCK.to_le_bytes());
        payload.extend_from_slice(&server_id.to_le_bytes());
        payload.extend_from_slice(file.as_bytes());
        self.write_payload(&payload).await
    }

    /// The next packet of a binlog stream.
    pub async fn next_event(&mut self) -> Result<Streamed> {
        let mut payload = self.read_payload().await?;
        match payload.first() {
            Some(0x00) => {
                payload.remove(0);
                Ok(Streamed::Event(payload))
            }
            Some(0xFE) if payload.len() < 9 => Ok(Streamed::End),
            Some(0xFF) => Err(server_error(&payload)),
            _ => Err(protocol_error("sending the binary log")),
        }
    }

    /// One logical payload (packets of the maximum length continue in the next).
    async fn read_payload(&mut self) -> Result<Vec<u8>> {
        let mut payload = Vec::new();
        loop {
            let mut header = [0u8; 4];
            self.reader
                .read_exact(&mut header)
                .await
                .map_err(lost_connection)?;
            let length =
                usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
            self.sequence = header[3].wrapping_add(1);
            let start = payload.len();
            payload.resize(start + length, 0);
            self.reader
                .read_exact(&mut payload[start..])
                .await
                .map_err(lost_connection)?;
            if length < MAX_PAYLOAD {
                return Ok(payload);
            }
        }
    }

    async fn write_payload(&mut self, payload: &[u8]) -> Result {
        let mut chunks = payload.chunks(MAX_PAYLOAD).peekable();
        if payload.is_empty() {
            self.write_packet(&[]).await?;
        }
        while let Some(chunk) = chunks.next() {
            self.write_packet(chunk).await?;
            if chunk.len() == MAX_PAYLOAD && chunks.peek().is_none() {
                self.write_packet(&[]).await?;
            }
        }
        self.writer.flush().await.map_err(lost_connection)
    }

    async fn write_packet(&mut self, chunk: &[u8]) -> Result {
        let length = chunk.len().to_le_bytes();
        let header = [length[0], length[1], length[2], self.sequence];
        self.sequence = self.sequence.wrapping_add(1);
        self.writer
            .write_all(&header)
            .await
            .map_err(lost_connection)?;
        self.writer.write_all(chunk).await.map_err(lost_connection)
    }
}

fn lost_connection(error: std::io::Error) -> BackupError {
    BackupError::failed(format!(
        "the connection to MySQL was lost while reading its binary log: {error}"
    ))
}

fn unsupported_login(plugin: &str) -> BackupError {
    BackupError::failed(format!(
        "the account logs in with {plugin}; dbbackup reads the binary log with mysql_native_password logins only"
    ))
    .hint("give the backup user a password login: ALTER USER ... IDENTIFIED VIA mysql_native_password USING PASSWORD('...')")
}

/// The scramble and login plugin of a protocol-10 greeting.
fn parse_greeting(greeting: &[u8]) -> Option<(Vec<u8>, String)> {
    let mut rest = greeting;
    if *rest.first()? != 10 {
        return None;
    }
    rest = &rest[1..];
    take_cstr(&mut rest)?; // server version
    let fixed = rest.get(..4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10)?;
    let mut scramble = fixed[4..12].to_vec();
    let data_length = usize::from(fixed[4 + 8 + 1 + 2 + 1 + 2 + 2]);
    rest = &rest[fixed.len()..];
    let second = data_length.saturating_sub(8).max(13);
    let part = rest.get(..second)?;
    scramble.extend_from_slice(part.strip_suffix(&[0]).unwrap_or(part));
    rest = &rest[second..];
    let plugin = take_cstr(&mut rest).unwrap_or(rest);
    Some((scramble, String::from_utf8_lossy(plugin).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_password_sends_no_scramble_and_others_twenty_bytes() {
        assert!(native_password("", b"01234567890123456789").is_empty());
        let first = native_password("secret", b"01234567890123456789");
        assert_eq!(first.len(), 20);
        assert_ne!(first, native_password("secret", b"98765432109876543210"));
    }

    #[test]
    fn a_greeting_gives_its_scramble_and_plugin() {
        let mut greeting = vec![10];
        greeting.extend_from_slice(b"10.11.19-MariaDB\0");
        greeting.extend_from_slice(&7u32.to_le_bytes());
        greeting.extend_from_slice(b"abcdefgh");
        greeting.push(0);
        greeting.extend_from_slice(&[0xFF, 0xF7, 45, 2, 0, 0xFF, 0x81, 21]);
        greeting.extend_from_slice(&[0; 10]);
        greeting.extend_from_slice(b"ijklmnopqrst\0");
        greeting.extend_from_slice(b"mysql_native_password\0");
        let (scramble, plugin) = parse_greeting(&greeting).unwrap();
        assert_eq!(scramble, b"abcdefghijklmnopqrst");
        assert_eq!(plugin, NATIVE_PASSWORD);
        assert!(parse_greeting(&greeting[..20]).is_none(), "cut short");
    }
}
