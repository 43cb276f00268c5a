//! Single-flight within one process: concurrent requests for one key share one
//! refresh. The first caller's future runs; the others wait for its outcome. If the
//! running caller goes away (its client hung up), a waiting one takes over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// See the module docs.
pub struct Flights<T> {
    running: Mutex<HashMap<String, Arc<OnceCell<T>>>>,
}

impl<T> Default for Flights<T> {
    fn default() -> Self {
        Self {
            running: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> Flights<T> {
    /// `work`'s outcome, run once for all concurrent callers of `key`.
    pub async fn run<F, Fut>(&self, key: &str, work: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.to_owned())
            .or_default()
            .clone();
        let outcome = cell.get_or_init(work).await.clone();
        // The next caller starts afresh (it will find the result in the cache).
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            running.remove(key);
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn concurrent_callers_share_one_run() {
        let flights = Arc::new(Flights::<usize>::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let callers = (0..50).map(|_| {
            let flights = flights.clone();
            let runs = runs.clone();
            tokio::spawn(async move {
                flights
                    .run("k", || async {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        runs.fetch_add(1, Ordering::SeqCst) + 1
                    })
                    .await
            })
        });
        let outcomes = futures_util::future::join_all(callers).await;
        assert!(outcomes.into_iter().all(|o| o.unwrap() == 1));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Done: the next caller runs again.
        assert_eq!(flights.run("k", || async { 7 }).await, 7);
        assert!(flights.running.lock().unwrap().is_empty());
    }
}
