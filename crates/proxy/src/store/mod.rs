//! Where responses are kept: a byte-bounded memory tier (quick_cache, whose CLOCK-Pro
//! eviction approximates LRU and lets one-hit wonders go first) in front of the
//! byte-bounded disk tier. Memory is filled from disk on a memory miss; every store goes
//! to both, to disk behind the response: one writer thread takes writes and removals in
//! order from a queue bounded by bytes (when the disk falls that far behind, new writes
//! are dropped, and the response stays in memory only).

pub mod disk;

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::codec;
use crate::entry::{Entry, Variants};
use disk::Disk;

/// How often the serving process looks for a `--clear-cache` from another process.
pub const CLEAR_POLL: Duration = Duration::from_millis(100);

/// Weighs memory entries by their bytes.
#[derive(Clone)]
pub struct ByBytes;

impl quick_cache::Weighter<String, Arc<Variants>> for ByBytes {
    fn weight(&self, key: &String, variants: &Arc<Variants>) -> u64 {
        key.len() as u64 + variants.weight()
    }
}

type Memory = quick_cache::sync::Cache<String, Arc<Variants>, ByBytes>;

/// The two tiers.
pub struct Store {
    memory: Memory,
    disk: Option<DiskTier>,
    generation: AtomicU64,
    default_ttl: Option<Duration>,
}

/// The disk, and the queue to its writer thread.
struct DiskTier {
    disk: Arc<Disk>,
    jobs: mpsc::Sender<Job>,
    /// Bytes of queued writes, bounded by [`write_backlog`].
    queued_bytes: Arc<AtomicU64>,
    max_queued_bytes: u64,
}

enum Job {
    Write(String, Vec<u8>),
    Remove(String),
}

/// At most this many bytes of writes wait for the disk: a quarter of the cache, at most
/// 64 MiB.
fn write_backlog(max_bytes: u64) -> u64 {
    (max_bytes / 4).min(64 << 20)
}

impl DiskTier {
    fn start(disk: Disk, max_bytes: u64) -> Self {
        let disk = Arc::new(disk);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queued_bytes = Arc::new(AtomicU64::new(0));
        let (writer, queued) = (disk.clone(), queued_bytes.clone());
        // Ends when the store (the only sender) is dropped.
        std::thread::spawn(move || {
            for job in queue {
                match job {
                    Job::Write(name, file) => {
                        if let Err(error) = writer.write(&name, &file) {
                            tracing::warn!(%error, "could not write a cache file; the response stays in memory only");
                        }
                        queued.fetch_sub(file.len() as u64, Ordering::AcqRel);
                    }
                    Job::Remove(name) => writer.remove(&name),
                }
            }
        });
        Self {
            disk,
            jobs,
            queued_bytes,
            max_queued_bytes: write_backlog(max_bytes),
        }
    }

    fn write(&self, name: String, file: Vec<u8>) {
        let size = file.len() as u64;
        let queued = self.queued_bytes.fetch_add(size, Ordering::AcqRel);
        if queued + size > self.max_queued_bytes || self.jobs.send(Job::Write(name, file)).is_err()
        {
            self.queued_bytes.fetch_sub(size, Ordering::AcqRel);
            tracing::debug!("disk writes are behind; a response is kept in memory only");
        }
    }

    fn remove(&self, name: String) {
        // Removals are never dropped: the index forgets the file at once (no read finds it),
        // and the file goes in order after any write of it still queued.
        self.disk.forget(&name);
        let _ = self.jobs.send(Job::Remove(name));
    }
}

/// A typical stored response's weight, for sizing the memory tier's table.
const TYPICAL_WEIGHT: u64 = 8 * 1024;

impl Store {
    /// Memory only, bounded by `max_bytes` (the CDN simulator's edges; tests).
    pub fn in_memory(max_bytes: u64, default_ttl: Option<Duration>) -> Self {
        let items = usize::try_from(max_bytes / TYPICAL_WEIGHT)
            .unwrap_or(usize::MAX)
            .max(16);
        Self {
            memory: quick_cache::sync::Cache::with_weighter(items, max_bytes, ByBytes),
            disk: None,
            generation: AtomicU64::new(0),
            default_ttl,
        }
    }

    /// Memory and disk, each bounded by `max_bytes`, the disk tier in `dir` (blocking:
    /// indexes the directory).
    pub fn on_disk(dir: &Path, max_bytes: u64, default_ttl: Option<Duration>) -> io::Result<Self> {
        let disk = Disk::open(dir, max_bytes)?;
        let generation = disk::read_generation(dir)?.unwrap_or(0);
        let mut store = Self::in_memory(max_bytes, default_ttl);
        store.disk = Some(DiskTier::start(disk, max_bytes));
        store.generation = AtomicU64::new(generation);
        Ok(store)
    }

    /// The operator's lifetime for responses without freshness information.
    pub fn default_ttl(&self) -> Option<Duration> {
        self.default_ttl
    }

    /// What is stored under `key`: from memory, else from disk.
    pub async fn get(&self, key: &str) -> Option<Arc<Variants>> {
        if let Some(variants) = self.memory.get(key) {
            return Some(variants);
        }
        let disk = self.disk.as_ref()?.disk.clone();
        let name = file_name(key);
        let file = tokio::task::spawn_blocking(move || disk.read(&name))
            .await
            .ok()??;
        let Some(variants) = self.decode(key, file) else {
            // Corrupt (torn by a crash), or of a generation since cleared: never again.
            if let Some(tier) = &self.disk {
                tier.remove(file_name(key));
            }
            return None;
        };
        let variants = Arc::new(variants);
        self.memory.insert(key.to_owned(), variants.clone());
        Some(variants)
    }

    /// Stores `entry` under `key`, beside the variants already there.
    pub fn put(&self, key: &str, entry: Arc<Entry>) {
        let current = self.memory.get(key).unwrap_or_default();
        let variants = Arc::new(current.with(entry));
        self.memory.insert(key.to_owned(), variants.clone());
        if let Some(tier) = &self.disk {
            let file = codec::encode(
                self.generation.load(Ordering::Acquire),
                key,
                variants.0.iter().map(|entry| &**entry),
            );
            tier.write(file_name(key), file);
        }
    }

    /// Forgets what is stored under `key` (invalidation).
    pub fn remove(&self, key: &str) {
        self.memory.remove(key);
        if let Some(tier) = &self.disk {
            tier.remove(file_name(key));
        }
    }

    /// Bytes held in memory and on disk.
    pub fn usage(&self) -> (u64, u64) {
        (
            self.memory.weight(),
            self.disk.as_ref().map_or(0, |tier| tier.disk.total_bytes()),
        )
    }

    /// Polls the disk tier's generation every [`CLEAR_POLL`]; when `--clear-cache` changed
    /// it, memory is emptied and the disk re-indexed. Runs until the store is dropped.
    pub fn watch_generation(self: &Arc<Self>) {
        let Some(disk) = self.disk.as_ref().map(|tier| tier.disk.clone()) else {
            return;
        };
        let store = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(CLEAR_POLL);
            loop {
                ticks.tick().await;
                let Some(store) = store.upgrade() else {
                    return;
                };
                // A read of a few bytes, in place: handing it to the blocking pool would
                // wake a second thread ten times a second, which showed in the hit path's
                // tail latency when the proxy has one CPU.
                let Ok(Some(generation)) = disk::read_generation(disk.root()) else {
                    continue;
                };
                if generation == store.generation.swap(generation, Ordering::AcqRel) {
                    continue;
                }
                store.memory.clear();
                let disk = disk.clone();
                let _ = tokio::task::spawn_blocking(move || disk.rescan()).await;
                tracing::info!("the cache was cleared by --clear-cache");
            }
        });
    }

    fn decode(&self, key: &str, file: Bytes) -> Option<Variants> {
        let decoded = codec::decode(file).ok()?;
        if decoded.key != key || decoded.generation != self.generation.load(Ordering::Acquire) {
            return None;
        }
        let entries = decoded
            .variants
            .into_iter()
            .map(|parts| Arc::new(Entry::new(parts, self.default_ttl)))
            .collect();
        Some(Variants(entries))
    }
}

/// The file a URL is stored in: its SHA-256, 128 bits of it in hex (the URL itself is
/// inside the file and checked on reading).
fn file_name(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
