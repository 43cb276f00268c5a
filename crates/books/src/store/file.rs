//! The JSON file: opening it under an exclusive lock, reading it strictly, and replacing
//! it atomically.
//!
//! Replacing: the new contents go to `<file>.tmp`, which is fsynced, renamed over the
//! file, and then the directory is fsynced so that the rename itself is durable. A crash
//! at any point leaves either the old complete file or the new complete file (rename is
//! atomic on POSIX file systems); a leftover `.tmp` is a write that never happened and is
//! removed at the next start.
//!
//! Locking: `<file>.lock` is locked exclusively (`flock`) for as long as the store lives,
//! so a second process on the same file refuses to start instead of interleaving writes.
//! The operating system releases the lock when the process dies, even by `kill -9`.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Book;

/// Why the store could not open or write its file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the lock.
    #[error(
        "{path} is in use by another process (its lock {lock} is held); stop that process or point books.path elsewhere"
    )]
    Locked {
        /// The data file.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// The file exists but is not a valid books file. It is left untouched.
    #[error(
        "{path} is not a valid books file ({detail}); it was not modified: repair it, restore a backup, or move it away to start empty"
    )]
    Corrupt {
        /// The data file.
        path: PathBuf,
        /// What is wrong, with the position for syntax errors.
        detail: String,
    },
    /// A seed was asked for on a file that already holds books.
    #[error("{path} already holds {books} books; seed an empty file")]
    NotEmpty {
        /// The data file.
        path: PathBuf,
        /// How many it holds.
        books: usize,
    },
    /// Reading, writing or syncing failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_owned();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

/// The file's outer shape: `{"format": "groundwork-books", "version": 1, "books": [...]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    version: u32,
    books: Vec<Book>,
}

const FORMAT: &str = "groundwork-books";
const VERSION: u32 = 1;

/// The open, locked data file.
#[derive(Debug)]
pub struct DataFile {
    path: PathBuf,
    temp: PathBuf,
    dir: PathBuf,
    // Held for the store's lifetime: dropping the file releases the lock.
    _lock: File,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl DataFile {
    /// Locks the file and reads its books (none if it does not exist yet).
    pub fn open(path: &Path) -> Result<(Self, Vec<Book>), StoreError> {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).map_err(io("create the directory", &dir))?;
        let lock_path = with_suffix(path, ".lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io("open the lock file", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: path.to_owned(),
                    lock: lock_path,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io("lock", &lock_path)(e)),
        }
        let temp = with_suffix(path, ".tmp");
        if temp.exists() {
            tracing::warn!(path = %temp.display(), "removing an unfinished write left by a crash");
            fs::remove_file(&temp).map_err(io("remove", &temp))?;
        }
        let books = match fs::read(path) {
            Ok(bytes) => parse(path, &bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io("read", path)(e)),
        };
        let file = Self {
            path: path.to_owned(),
            temp,
            dir,
            _lock: lock,
        };
        Ok((file, books))
    }

    /// The data file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Atomically replaces the file with these books, each given as its JSON text (see
    /// the module docs). Books go one per line, so that the file reads and diffs well.
    pub fn replace<'a>(&self, books: impl Iterator<Item = &'a [u8]>) -> Result<(), StoreError> {
        let file = File::create(&self.temp).map_err(io("create", &self.temp))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let write = |out: &mut BufWriter<File>| -> std::io::Result<()> {
            write!(
                out,
                "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"books\":["
            )?;
            for (i, book) in books.enumerate() {
                if book.is_empty() {
                    return Err(std::io::Error::other("a book has no JSON text"));
                }
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                out.write_all(book)?;
            }
            out.write_all(b"\n]}\n")?;
            out.flush()
        };
        write(&mut out).map_err(io("write", &self.temp))?;
        let file = out
            .into_inner()
            .map_err(|e| io("write", &self.temp)(e.into_error()))?;
        file.sync_all().map_err(io("sync", &self.temp))?;
        drop(file);
        fs::rename(&self.temp, &self.path).map_err(io("rename over", &self.path))?;
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(io("sync the directory", &self.dir))
    }
}

/// Reads a whole file strictly: the right format marker, every book well formed, no id or
/// ISBN twice.
fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<Book>, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_owned(),
        detail,
    };
    let document: Document = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    if document.format != FORMAT || document.version != VERSION {
        return Err(corrupt(format!(
            "expected format {FORMAT:?} version {VERSION}, found {:?} version {}",
            document.format, document.version
        )));
    }
    let mut ids = std::collections::HashSet::new();
    let mut isbns = std::collections::HashSet::new();
    for book in &document.books {
        if !ids.insert(book.id) {
            return Err(corrupt(format!("book {} appears twice", book.id)));
        }
        if let Some(isbn) = &book.isbn
            && !isbns.insert(isbn.as_str())
        {
            return Err(corrupt(format!("ISBN {isbn} appears twice")));
        }
    }
    Ok(document.books)
}
