//! Table data between a database connection and a compressed file. The connection side is
//! async; compression, hashing and the row checksum run on a thread of their own per table,
//! joined by a bounded channel, so memory stays bounded and `--jobs N` uses N cores.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::error::{BackupError, Result};
use crate::files::{self, Compressed, Compression, Written};
use crate::rows::{Checksum, RowWriter};

/// Chunks in flight between the connection and the file thread.
const IN_FLIGHT: usize = 16;

/// Bytes per chunk read back from a data file.
const READ_CHUNK: usize = 256 * 1024;

/// A data file being written from line-oriented chunks (one row per line, as in
/// PostgreSQL's `COPY` text format); the checksum covers each line without its newline.
pub struct LineFile {
    sender: mpsc::Sender<Bytes>,
    thread: std::thread::JoinHandle<Result<(Written, Checksum)>>,
}

impl LineFile {
    /// Creates `path` and starts its thread.
    pub fn create(path: &Path, compression: Compression) -> Result<Self> {
        let mut out = Compressed::create(path, compression)?;
        let (sender, mut receiver) = mpsc::channel::<Bytes>(IN_FLIGHT);
        let path = path.to_owned();
        let thread = std::thread::spawn(move || {
            let failed = |error: std::io::Error| BackupError::io("write", &path, &error);
            let mut lines = Lines::default();
            while let Some(chunk) = receiver.blocking_recv() {
                out.write_all(&chunk).map_err(failed)?;
                lines.feed(&chunk);
            }
            let checksum = lines.finish();
            Ok((out.finish().map_err(failed)?, checksum))
        });
        Ok(Self { sender, thread })
    }

    /// Queues a chunk (waits while the file thread is behind).
    pub async fn send(&self, chunk: Bytes) {
        // A closed channel means the thread stopped on an error, which `finish` returns.
        let _ = self.sender.send(chunk).await;
    }

    /// Waits for the file to be complete and synced.
    pub async fn finish(self) -> Result<(Written, Checksum)> {
        drop(self.sender);
        join(self.thread).await
    }
}

/// A data file in dbbackup's row format, written from batches of encoded rows.
pub struct RowFile {
    sender: mpsc::Sender<Vec<Vec<u8>>>,
    thread: std::thread::JoinHandle<Result<(Written, Checksum)>>,
}

impl RowFile {
    /// Creates `path` with these columns and starts its thread.
    pub fn create(path: &Path, compression: Compression, columns: &[String]) -> Result<Self> {
        let failed = |path: &Path, error: std::io::Error| BackupError::io("write", path, &error);
        let out = Compressed::create(path, compression)?;
        let mut writer = RowWriter::new(out, columns).map_err(|error| failed(path, error))?;
        let (sender, mut receiver) = mpsc::channel::<Vec<Vec<u8>>>(IN_FLIGHT);
        let path = path.to_owned();
        let thread = std::thread::spawn(move || {
            while let Some(batch) = receiver.blocking_recv() {
                for row in batch {
                    writer
                        .write_encoded(&row)
                        .map_err(|error| failed(&path, error))?;
                }
            }
            let (out, checksum) = writer.finish().map_err(|error| failed(&path, error))?;
            Ok((
                out.finish().map_err(|error| failed(&path, error))?,
                checksum,
            ))
        });
        Ok(Self { sender, thread })
    }

    /// Queues a batch of encoded rows.
    pub async fn send(&self, batch: Vec<Vec<u8>>) {
        // A closed channel means the thread stopped on an error, which `finish` returns.
        let _ = self.sender.send(batch).await;
    }

    /// Waits for the file to be complete and synced.
    pub async fn finish(self) -> Result<(Written, Checksum)> {
        drop(self.sender);
        join(self.thread).await
    }
}

async fn join(
    thread: std::thread::JoinHandle<Result<(Written, Checksum)>>,
) -> Result<(Written, Checksum)> {
    tokio::task::spawn_blocking(move || thread.join())
        .await
        .map_err(|error| BackupError::failed(format!("a file thread failed: {error}")))?
        .map_err(|_| BackupError::failed("a file thread panicked"))?
}

/// Splits a byte stream into lines and adds each to a checksum.
#[derive(Default)]
pub struct Lines {
    partial: Vec<u8>,
    checksum: Checksum,
}

impl Lines {
    /// Takes the next chunk.
    pub fn feed(&mut self, mut chunk: &[u8]) {
        while let Some(end) = memchr::memchr(b'\n', chunk) {
            if self.partial.is_empty() {
                self.checksum.add(&chunk[..end]);
            } else {
                self.partial.extend_from_slice(&chunk[..end]);
                self.checksum.add(&self.partial);
                self.partial.clear();
            }
            chunk = &chunk[end + 1..];
        }
        self.partial.extend_from_slice(chunk);
    }

    /// The checksum, counting a last line without a newline.
    pub fn finish(mut self) -> Checksum {
        if !self.partial.is_empty() {
            self.checksum.add(&self.partial);
        }
        self.checksum
    }
}

/// Reads a data file back as decompressed chunks, on a thread of its own.
pub fn read_chunks(path: &Path, compression: Compression) -> Result<mpsc::Receiver<Result<Bytes>>> {
    let mut input = files::open(path, compression)?;
    let (sender, receiver) = mpsc::channel(IN_FLIGHT);
    let path: PathBuf = path.to_owned();
    std::thread::spawn(move || {
        loop {
            let mut buffer = vec![0u8; READ_CHUNK];
            let read = match input.read(&mut buffer) {
                Ok(0) => return,
                Ok(read) => read,
                Err(error) => {
                    let _ = sender.blocking_send(Err(BackupError::io("decompress", &path, &error)));
                    return;
                }
            };
            buffer.truncate(read);
            if sender.blocking_send(Ok(Bytes::from(buffer))).is_err() {
                return;
            }
        }
    });
    Ok(receiver)
}

/// A file of one record a line (an incremental backup's changes), read back line by line.
pub struct LineReader {
    chunks: mpsc::Receiver<Result<Bytes>>,
    buffer: Vec<u8>,
    /// Where the unread part of `buffer` starts.
    start: usize,
    ended: bool,
}

impl LineReader {
    /// Opens `path`.
    pub fn open(path: &Path, compression: Compression) -> Result<Self> {
        Ok(Self {
            chunks: read_chunks(path, compression)?,
            buffer: Vec::new(),
            start: 0,
            ended: false,
        })
    }

    /// The next line, without its newline; `None` at the end of the file.
    pub async fn next_line(&mut self) -> Result<Option<&[u8]>> {
        loop {
            if let Some(length) = self.buffer[self.start..]
                .iter()
                .position(|&byte| byte == b'\n')
            {
                let line = self.start..self.start + length;
                self.start += length + 1;
                return Ok(Some(&self.buffer[line]));
            }
            if self.ended {
                if self.start == self.buffer.len() {
                    return Ok(None);
                }
                let line = self.start..self.buffer.len();
                self.start = self.buffer.len();
                return Ok(Some(&self.buffer[line]));
            }
            self.buffer.drain(..self.start);
            self.start = 0;
            match self.chunks.recv().await {
                Some(chunk) => self.buffer.extend_from_slice(&chunk?),
                None => self.ended = true,
            }
        }
    }
}

/// `--max-rate`: one budget of bytes per second shared by every job.
#[derive(Clone, Default)]
pub struct Throttle {
    limit: Option<(u64, Instant, Arc<AtomicU64>)>,
}

impl Throttle {
    /// At most `bytes_per_second` (none: no limit).
    pub fn new(bytes_per_second: Option<u64>) -> Self {
        Self {
            limit: bytes_per_second
                .filter(|rate| *rate > 0)
                .map(|rate| (rate, Instant::now(), Arc::new(AtomicU64::new(0)))),
        }
    }

    /// Counts `bytes` and sleeps until they fit the budget.
    pub async fn pace(&self, bytes: usize) {
        let Some((rate, start, total)) = &self.limit else {
            return;
        };
        let total = total.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
        let due = Duration::from_secs_f64(total as f64 / *rate as f64);
        let elapsed = start.elapsed();
        if due > elapsed {
            tokio::time::sleep(due - elapsed).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_across_chunks_checksum_like_whole_lines() {
        let mut whole = Checksum::default();
        whole.add(b"a\tb");
        whole.add(b"");
        whole.add(b"last");
        let mut lines = Lines::default();
        for chunk in [&b"a\t"[..], b"b\n", b"\nla", b"st"] {
            lines.feed(chunk);
        }
        assert_eq!(lines.finish(), whole);
    }
}
