//! Request coalescing: while one request for a URL is on its way to the origin, others
//! for the same URL wait for it instead of asking the origin too, then look in the cache
//! again. The first holds a [`Leader`] guard; when it is dropped (the response stored,
//! found not storable, or failed), every waiter wakes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// The URLs being fetched now.
#[derive(Default)]
pub struct Inflight {
    fetching: Mutex<HashMap<String, watch::Receiver<()>>>,
}

/// The one fetching a URL; dropping it wakes those waiting.
pub struct Leader {
    inflight: Arc<Inflight>,
    key: String,
    _done: watch::Sender<()>,
}

/// What a request for a URL does.
pub enum Turn {
    /// Fetch it (nobody else is).
    Lead(Leader),
    /// Wait for the one fetching it.
    Wait(watch::Receiver<()>),
}

impl Inflight {
    /// Either this request leads the fetch of `key`, or it waits for the one that does.
    pub fn join(self: &Arc<Self>, key: &str) -> Turn {
        let mut fetching = self.lock();
        if let Some(waiting) = fetching.get(key) {
            return Turn::Wait(waiting.clone());
        }
        let (done, waiting) = watch::channel(());
        fetching.insert(key.to_owned(), waiting);
        Turn::Lead(Leader {
            inflight: self.clone(),
            key: key.to_owned(),
            _done: done,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, watch::Receiver<()>>> {
        // The map holds no invariant a panic could break halfway.
        self.fetching
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        self.inflight.lock().remove(&self.key);
        // `_done` drops after this, which wakes every waiter.
    }
}

/// Waits until the leader is done (its sender dropped).
pub async fn wait(mut waiting: watch::Receiver<()>) {
    // `changed` fails once the sender is gone, which is the signal.
    while waiting.changed().await.is_ok() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_leads_the_others_wait_until_it_is_done() {
        let inflight = Arc::new(Inflight::default());
        let Turn::Lead(leader) = inflight.join("/a") else {
            panic!("the first request must lead");
        };
        let Turn::Wait(waiting) = inflight.join("/a") else {
            panic!("the second must wait");
        };
        assert!(
            matches!(inflight.join("/b"), Turn::Lead(_)),
            "other URLs are independent"
        );
        let waiter = tokio::spawn(wait(waiting));
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(leader);
        waiter.await.unwrap();
        assert!(
            matches!(inflight.join("/a"), Turn::Lead(_)),
            "the next fetch leads again"
        );
    }
}
