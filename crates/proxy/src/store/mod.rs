//! Where responses are kept: a byte-bounded memory tier (quick_cache, whose CLOCK-Pro
//! eviction approximates LRU and lets one-hit wonders go first) in front of the
//! byte-bounded disk tier. Memory is filled from disk on a memory miss; every store goes
//! to both (to disk in the background, so a miss does not wait for an fsync).

pub mod disk;

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
    disk: Option<Arc<Disk>>,
    generation: AtomicU64,
    default_ttl: Option<Duration>,
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
        store.disk = Some(Arc::new(disk));
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
        let disk = self.disk.clone()?;
        let name = file_name(key);
        let file = tokio::task::spawn_blocking(move || disk.read(&name))
            .await
            .ok()??;
        let variants = Arc::new(self.decode(key, file)?);
        self.memory.insert(key.to_owned(), variants.clone());
        Some(variants)
    }

    /// Stores `entry` under `key`, beside the variants already there.
    pub fn put(&self, key: &str, entry: Arc<Entry>) {
        let current = self.memory.get(key).unwrap_or_default();
        let variants = Arc::new(current.with(entry));
        self.memory.insert(key.to_owned(), variants.clone());
        if let Some(disk) = self.disk.clone() {
            let file = codec::encode(
                self.generation.load(Ordering::Acquire),
                key,
                variants.0.iter().map(|entry| &**entry),
            );
            let name = file_name(key);
            tokio::task::spawn_blocking(move || {
                if let Err(error) = disk.write(&name, &file) {
                    tracing::warn!(%error, "could not write a cache file; the response stays in memory only");
                }
            });
        }
    }

    /// Forgets what is stored under `key` (invalidation).
    pub fn remove(&self, key: &str) {
        self.memory.remove(key);
        if let Some(disk) = self.disk.clone() {
            let name = file_name(key);
            tokio::task::spawn_blocking(move || disk.remove(&name));
        }
    }

    /// Bytes held in memory and on disk.
    pub fn usage(&self) -> (u64, u64) {
        (
            self.memory.weight(),
            self.disk.as_ref().map_or(0, |disk| disk.total_bytes()),
        )
    }

    /// Polls the disk tier's generation every [`CLEAR_POLL`]; when `--clear-cache` changed
    /// it, memory is emptied and the disk re-indexed. Runs until the store is dropped.
    pub fn watch_generation(self: &Arc<Self>) {
        let Some(disk) = self.disk.clone() else {
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
                let root = disk.root().to_owned();
                let read = tokio::task::spawn_blocking(move || disk::read_generation(&root)).await;
                let Ok(Ok(Some(generation))) = read else {
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
    digest[..16].iter().map(|byte| format!("{byte:02x}")).collect()
}
