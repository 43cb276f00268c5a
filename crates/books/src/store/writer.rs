//! The one writer: group commit.
//!
//! Handlers queue changes on a channel and wait. The writer takes the first queued
//! change and every other one already waiting (up to `max_batch`), applies them all to
//! its working catalog, writes the file once, and only then publishes the new catalog to
//! readers and answers each caller. A caller is told "saved" only after the file that
//! holds its change is on disk; a batch whose write fails is rolled back and every caller
//! in it gets a 503, so memory never runs ahead of the file.
//!
//! While one batch is being written, new changes queue up and form the next batch: the
//! more concurrent writers, the more changes share one rewrite of the file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use groundwork_platform::ApiError;
use groundwork_platform::auth::AuthUser;
use tokio::sync::{mpsc, oneshot};

use super::catalog::{Catalog, Change, Outcome};
use super::file::DataFile;

/// A queued change and where to send its result.
pub struct Request {
    /// The change.
    pub change: Change,
    /// Who asks (permissions are checked against the catalog at apply time).
    pub actor: AuthUser,
    /// The caller's answer.
    pub reply: oneshot::Sender<Result<Outcome, ApiError>>,
}

/// Limits of the writer.
#[derive(Clone, Copy, Debug)]
pub struct WriterLimits {
    /// Most changes per file write.
    pub max_batch: usize,
    /// Most books in the catalog.
    pub max_books: usize,
}

/// Runs until every sender is dropped, then finishes the queued changes and returns
/// (releasing the file's lock).
pub async fn run(
    mut queue: mpsc::Receiver<Request>,
    file: DataFile,
    published: Arc<RwLock<Arc<Catalog>>>,
    limits: WriterLimits,
    file_writes: Arc<AtomicU64>,
) {
    let file = Arc::new(file);
    let mut working = current(&published).as_ref().clone();
    let commits = metrics::counter!("books_file_writes_total");
    let committed = metrics::counter!("books_changes_committed_total");
    let batch_sizes = metrics::histogram!("books_changes_per_write");
    let mut batch = Vec::with_capacity(limits.max_batch);
    while queue.recv_many(&mut batch, limits.max_batch).await > 0 {
        let mut answers = Vec::with_capacity(batch.len());
        let mut changed = 0usize;
        for request in batch.drain(..) {
            let result = working.apply(request.change, &request.actor, limits.max_books);
            changed += usize::from(result.is_ok());
            answers.push((request.reply, result));
        }
        if changed > 0 {
            let candidate = Arc::new(working.clone());
            match persist(&file, candidate.clone()).await {
                Ok(()) => {
                    commits.increment(1);
                    file_writes.fetch_add(1, Ordering::Relaxed);
                    committed.increment(changed as u64);
                    batch_sizes.record(changed as f64);
                    publish(&published, candidate);
                }
                Err(error) => {
                    tracing::error!(%error, changes = changed, "writing the books file failed; the batch is rolled back");
                    working = current(&published).as_ref().clone();
                    for (_, result) in &mut answers {
                        if result.is_ok() {
                            *result = Err(ApiError::unavailable(
                                "the books file could not be written; nothing was changed",
                                1,
                            ));
                        }
                    }
                }
            }
        }
        for (reply, result) in answers {
            // The caller may have gone (client disconnected); its change stands.
            let _ = reply.send(result);
        }
    }
}

/// Writes the catalog to the file on a blocking thread (serialising 100 000 books and an
/// fsync take tens of milliseconds).
async fn persist(file: &Arc<DataFile>, catalog: Arc<Catalog>) -> Result<(), String> {
    let file = file.clone();
    tokio::task::spawn_blocking(move || {
        file.replace(catalog.entries().map(|entry| &*entry.json))
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| format!("the writer thread failed: {e}"))?
}

fn current(published: &RwLock<Arc<Catalog>>) -> Arc<Catalog> {
    match published.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn publish(published: &RwLock<Arc<Catalog>>, catalog: Arc<Catalog>) {
    match published.write() {
        Ok(mut guard) => *guard = catalog,
        Err(poisoned) => *poisoned.into_inner() = catalog,
    }
}
