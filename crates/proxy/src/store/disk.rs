//! The persistent tier: one file per URL under `<cache-dir>/objects/`, bounded by bytes
//! (least recently used files go first), written crash-safely: a temporary file renamed
//! into place, so a process crash leaves each file whole or absent, and a format that
//! ends in a marker at an exact length (see [`crate::codec`]), so a file torn by a power
//! loss reads as corrupt and is dropped. No fsync per file: like nginx's cache, a crash may
//! lose recent entries, which are only copies of the origin's, but never serves a broken
//! one.
//!
//! `<cache-dir>/generation` holds a token that `--clear-cache` replaces; files carry the
//! token they were written under, and the serving process polls it (see
//! [`super::Store::watch_generation`]). `<cache-dir>/lock` is held by the serving process.
//! Every method here blocks: callers run them on tokio's blocking pool.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

/// The on-disk tier.
pub struct Disk {
    root: PathBuf,
    max_bytes: u64,
    index: Mutex<Index>,
    /// Held (locked) for as long as this process serves from the directory.
    _lock: File,
}

/// What is on disk, by file name, with an LRU order.
#[derive(Default)]
struct Index {
    files: HashMap<String, (u64, u64)>,
    by_use: BTreeMap<u64, String>,
    total: u64,
    tick: u64,
}

impl Index {
    fn touch(&mut self, name: &str, size: u64) {
        self.forget(name);
        self.tick += 1;
        self.files.insert(name.to_owned(), (size, self.tick));
        self.by_use.insert(self.tick, name.to_owned());
        self.total += size;
    }

    fn forget(&mut self, name: &str) {
        if let Some((size, tick)) = self.files.remove(name) {
            self.by_use.remove(&tick);
            self.total -= size;
        }
    }

    /// The least recently used files to remove so that the total fits `max_bytes`.
    fn over_budget(&mut self, max_bytes: u64) -> Vec<String> {
        let mut evicted = Vec::new();
        while self.total > max_bytes {
            let Some((_, name)) = self.by_use.pop_first() else {
                break;
            };
            if let Some((size, _)) = self.files.remove(&name) {
                self.total -= size;
            }
            evicted.push(name);
        }
        evicted
    }
}

/// What `--clear-cache` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleared {
    /// Files removed.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

impl Disk {
    /// Opens (creating it if need be) the cache directory for serving: takes its lock,
    /// removes temporary files a crash left behind, and indexes what is there, oldest
    /// first by modification time.
    pub fn open(root: &Path, max_bytes: u64) -> io::Result<Self> {
        fs::create_dir_all(root.join("objects"))?;
        fs::create_dir_all(root.join("tmp"))?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join("lock"))?;
        if lock.try_lock().is_err() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "another caching-proxy is serving from {} (one process per cache directory; use --cache-dir)",
                    root.display()
                ),
            ));
        }
        if read_generation(root)?.is_none() {
            write_generation(root)?;
        }
        for leftover in fs::read_dir(root.join("tmp"))? {
            let _ = fs::remove_file(leftover?.path());
        }
        let disk = Self {
            root: root.to_owned(),
            max_bytes,
            index: Mutex::new(Index::default()),
            _lock: lock,
        };
        disk.rescan()?;
        Ok(disk)
    }

    /// Rebuilds the index from the files present (at start, and after a clear).
    pub fn rescan(&self) -> io::Result<()> {
        let mut found = Vec::new();
        for shard in fs::read_dir(self.root.join("objects"))? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for file in fs::read_dir(shard.path())? {
                let file = file?;
                let meta = file.metadata()?;
                let used = meta.modified().unwrap_or(UNIX_EPOCH);
                found.push((
                    used,
                    file.file_name().to_string_lossy().into_owned(),
                    meta.len(),
                ));
            }
        }
        found.sort();
        let mut index = Index::default();
        for (_, name, size) in found {
            index.touch(&name, size);
        }
        let evicted = index.over_budget(self.max_bytes);
        *self.lock_index() = index;
        self.delete(&evicted);
        Ok(())
    }

    /// A file's bytes, if it is there.
    pub fn read(&self, name: &str) -> Option<Bytes> {
        let size = self.lock_index().files.get(name).map(|(size, _)| *size)?;
        match fs::read(self.path(name)) {
            Ok(bytes) => {
                self.lock_index().touch(name, size);
                Some(Bytes::from(bytes))
            }
            Err(_) => {
                self.lock_index().forget(name);
                None
            }
        }
    }

    /// Stores a file: written aside, renamed over the old one; then the least recently
    /// used files go until the total fits.
    pub fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let temporary = self.root.join("tmp").join(format!("{name}.{}", unique()));
        let result = (|| {
            let mut file = File::create(&temporary)?;
            file.write_all(bytes)?;
            let path = self.path(name);
            if let Some(shard) = path.parent() {
                fs::create_dir_all(shard)?;
            }
            fs::rename(&temporary, path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
            return result;
        }
        let evicted = {
            let mut index = self.lock_index();
            index.touch(name, bytes.len() as u64);
            index.over_budget(self.max_bytes)
        };
        self.delete(&evicted);
        Ok(())
    }

    /// Removes a file, if it is there.
    pub fn remove(&self, name: &str) {
        self.forget(name);
        let _ = fs::remove_file(self.path(name));
    }

    /// Takes a file out of the index (reads no longer find it) without touching the disk.
    pub fn forget(&self, name: &str) {
        self.lock_index().forget(name);
    }

    /// Bytes on disk, as indexed.
    pub fn total_bytes(&self) -> u64 {
        self.lock_index().total
    }

    /// The cache directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn delete(&self, names: &[String]) {
        for name in names {
            let _ = fs::remove_file(self.path(name));
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        let shard = name.get(..2).unwrap_or("00");
        self.root.join("objects").join(shard).join(name)
    }

    fn lock_index(&self) -> std::sync::MutexGuard<'_, Index> {
        // A panic while holding the lock cannot leave the index inconsistent in a way
        // that matters more than losing the cache; carry on with what is there.
        self.index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The cache generation recorded in `root`, if any.
pub fn read_generation(root: &Path) -> io::Result<Option<u64>> {
    match fs::read_to_string(root.join("generation")) {
        Ok(text) => Ok(text.trim().parse().ok()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Records a new generation in `root` (atomically, by rename) and returns it.
fn write_generation(root: &Path) -> io::Result<u64> {
    let generation = unique();
    let temporary = root.join(format!("generation.{generation}"));
    fs::write(&temporary, generation.to_string())?;
    fs::rename(&temporary, root.join("generation"))?;
    Ok(generation)
}

/// `--clear-cache`: a new generation first (a serving process then drops what it holds in
/// memory and disregards files of the old one), then every stored file goes. Safe while a
/// proxy serves from `root` and with other clearers running at the same time.
pub fn clear(root: &Path) -> io::Result<Cleared> {
    let mut cleared = Cleared::default();
    if !root.join("objects").is_dir() {
        return Ok(cleared);
    }
    write_generation(root)?;
    let trash = root.join(format!("trash.{}", unique()));
    match fs::rename(root.join("objects"), &trash) {
        Ok(()) => {}
        // Another clearer moved it away first.
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(cleared),
        Err(error) => return Err(error),
    }
    fs::create_dir_all(root.join("objects"))?;
    count(&trash, &mut cleared)?;
    fs::remove_dir_all(&trash)?;
    Ok(cleared)
}

fn count(dir: &Path, cleared: &mut Cleared) -> io::Result<()> {
    for item in fs::read_dir(dir)? {
        let item = item?;
        if item.file_type()?.is_dir() {
            count(&item.path(), cleared)?;
        } else {
            cleared.files += 1;
            cleared.bytes += item.metadata()?.len();
        }
    }
    Ok(())
}

/// A number no other process or call is likely to pick at the same time: the clock's
/// nanoseconds mixed with the process id and a counter.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 40) ^ COUNTER.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_survive_a_reopen_and_the_oldest_go_first() {
        let dir = tempfile::tempdir().unwrap();
        {
            let disk = Disk::open(dir.path(), 250).unwrap();
            disk.write("aa01", &[1; 100]).unwrap();
            disk.write("bb02", &[2; 100]).unwrap();
            assert!(disk.read("aa01").is_some()); // now the most recently used
            disk.write("cc03", &[3; 100]).unwrap();
            assert!(
                disk.read("bb02").is_none(),
                "least recently used is evicted"
            );
            assert_eq!(disk.total_bytes(), 200);
        }
        let disk = Disk::open(dir.path(), 250).unwrap();
        assert_eq!(disk.read("aa01").unwrap().len(), 100);
        assert_eq!(disk.read("cc03").unwrap().len(), 100);
    }

    #[test]
    fn one_serving_process_per_directory() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Disk::open(dir.path(), 1000).unwrap();
        let second = Disk::open(dir.path(), 1000);
        assert_eq!(second.err().unwrap().kind(), io::ErrorKind::AddrInUse);
    }

    #[test]
    fn clearing_removes_files_and_changes_the_generation() {
        let dir = tempfile::tempdir().unwrap();
        let disk = Disk::open(dir.path(), 1000).unwrap();
        disk.write("aa01", &[1; 10]).unwrap();
        disk.write("bb02", &[2; 20]).unwrap();
        let before = read_generation(dir.path()).unwrap();
        let cleared = clear(dir.path()).unwrap();
        assert_eq!(
            cleared,
            Cleared {
                files: 2,
                bytes: 30
            }
        );
        assert_ne!(read_generation(dir.path()).unwrap(), before);
        disk.rescan().unwrap();
        assert!(disk.read("aa01").is_none());
        assert_eq!(clear(dir.path()).unwrap(), Cleared::default());
    }

    #[test]
    fn leftovers_of_a_crash_mid_write_are_removed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("tmp")).unwrap();
        fs::write(dir.path().join("tmp/aa01.123"), b"half a fi").unwrap();
        let disk = Disk::open(dir.path(), 1000).unwrap();
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
        assert_eq!(disk.total_bytes(), 0);
    }
}
