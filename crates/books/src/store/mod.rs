//! [`BookStore`]: the catalog served from memory, persisted to one JSON file by a single
//! group-committing writer (see `writer.rs` and `file.rs`).

mod catalog;
mod file;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

pub use catalog::{Catalog, Change, Entry, Outcome};
pub use file::{DataFile, StoreError};
pub use writer::WriterLimits;

/// How many changes may wait for the writer before callers are told to come back later.
const QUEUE_CAPACITY: usize = 16_384;

/// The books; cheap to clone.
#[derive(Clone)]
pub struct BookStore {
    published: Arc<RwLock<Arc<Catalog>>>,
    queue: mpsc::Sender<writer::Request>,
    file_writes: Arc<AtomicU64>,
}

impl BookStore {
    /// Opens (and locks) the file, loads it, and starts the writer on the current Tokio
    /// runtime. Fails on a locked or corrupt file, which is left as it is.
    pub fn open(path: &Path, limits: WriterLimits) -> Result<Self, StoreError> {
        let (file, books) = DataFile::open(path)?;
        tracing::info!(path = %file.path().display(), books = books.len(), "books file loaded");
        let published = Arc::new(RwLock::new(Arc::new(Catalog::from_books(books))));
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let file_writes = Arc::new(AtomicU64::new(0));
        tokio::spawn(writer::run(
            receiver,
            file,
            published.clone(),
            limits,
            file_writes.clone(),
        ));
        Ok(Self {
            published,
            queue,
            file_writes,
        })
    }

    /// The current catalog (a consistent version; later writes do not change it).
    pub fn snapshot(&self) -> Arc<Catalog> {
        match self.published.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// How many times this store has rewritten its file (each write carries a batch).
    pub fn file_writes(&self) -> u64 {
        self.file_writes.load(Ordering::Relaxed)
    }

    /// One book.
    pub fn get(&self, id: &Uuid) -> Result<Arc<Entry>, ApiError> {
        self.snapshot()
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("book"))
    }

    /// Queues a change and waits until it is on disk (or refused).
    pub async fn change(&self, change: Change, actor: AuthUser) -> Result<Outcome, ApiError> {
        let (reply, answer) = oneshot::channel();
        let request = writer::Request {
            change,
            actor,
            reply,
        };
        self.queue.try_send(request).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => {
                ApiError::unavailable("too many writes are waiting; retry shortly", 1)
            }
            mpsc::error::TrySendError::Closed(_) => {
                ApiError::unavailable("the books store is shutting down", 5)
            }
        })?;
        answer
            .await
            .map_err(|_| ApiError::internal("the books writer stopped before answering"))?
    }
}
