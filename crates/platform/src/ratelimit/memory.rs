//! The in-process limiter: TATs in a sharded map, bounded in size.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::Instant;

use super::{Decision, Quota, RateLimitError, RateLimiter, gcra, refunded};

const SHARDS: usize = 16;
/// Most keys a shard holds; see [`make_room`]. Memory stays bounded whatever the traffic.
const MAX_KEYS_PER_SHARD: usize = 64 * 1024;

/// GCRA state in this process's memory. Correct for one instance; behind a load balancer,
/// use [`super::RedisRateLimiter`] so every instance sees the same counts.
pub struct InMemoryRateLimiter {
    epoch: Instant,
    hasher: RandomState,
    shards: [Mutex<HashMap<Box<str>, u128>>; SHARDS],
}

/// Frees space in a full shard: first every key whose bucket is full again (they carry no
/// information), then, if the shard is still full (a flood of distinct keys), an arbitrary
/// eighth of it. Evicted clients start over with a full bucket, which errs on the side of
/// letting real clients in; the scan runs at most once per eighth of a shard of new keys.
fn make_room(map: &mut HashMap<Box<str>, u128>, now: u128) {
    map.retain(|_, tat| *tat > now);
    if map.len() >= MAX_KEYS_PER_SHARD {
        let victims: Vec<Box<str>> = map.keys().take(MAX_KEYS_PER_SHARD / 8).cloned().collect();
        for key in victims {
            map.remove(&key);
        }
    }
}

impl Default for InMemoryRateLimiter {
    fn default() -> Self {
        Self {
            epoch: Instant::now(),
            hasher: RandomState::new(),
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
        }
    }
}

impl InMemoryRateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys currently tracked (for tests and metrics).
    pub fn tracked_keys(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|m| m.len()).unwrap_or(0))
            .sum()
    }

    fn shard(&self, key: &str) -> &Mutex<HashMap<Box<str>, u128>> {
        // The modulo keeps the index in range; truncating the hash first is harmless.
        &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS]
    }

    fn decide(&self, key: &str, quota: Quota, consume: bool) -> Decision {
        let now = self.epoch.elapsed().as_nanos();
        // A poisoned lock only means another request panicked mid-update of a plain map of
        // integers; the data is still usable.
        let mut map = self
            .shard(key)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let stored = map.get(key).copied();
        let (decision, new_tat) = gcra(stored, now, quota, consume);
        if let Some(tat) = new_tat {
            if stored.is_none() && map.len() >= MAX_KEYS_PER_SHARD {
                make_room(&mut map, now);
            }
            match map.get_mut(key) {
                Some(slot) => *slot = tat,
                None => {
                    map.insert(key.into(), tat);
                }
            }
        }
        decision
    }
}

#[async_trait::async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn check(
        &self,
        key: &str,
        quota: Quota,
        consume: bool,
    ) -> Result<Decision, RateLimitError> {
        Ok(self.decide(key, quota, consume))
    }

    async fn refund(&self, key: &str, quota: Quota) -> Result<(), RateLimitError> {
        let now = self.epoch.elapsed().as_nanos();
        let mut map = self
            .shard(key)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(tat) = map.get_mut(key) {
            match refunded(*tat, now, quota) {
                Some(back) => *tat = back,
                None => {
                    map.remove(key);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_keys_stays_bounded_and_new_clients_still_get_in() {
        let limiter = InMemoryRateLimiter::new();
        let quota = Quota::per_second(1, 1);
        for n in 0..(MAX_KEYS_PER_SHARD * SHARDS + 10_000) {
            limiter.decide(&format!("ip:{n}"), quota, true);
        }
        assert!(limiter.tracked_keys() <= MAX_KEYS_PER_SHARD * SHARDS);
        assert!(limiter.decide("ip:newcomer", quota, true).is_allowed());
    }

    #[test]
    fn keys_are_limited_independently() {
        let limiter = InMemoryRateLimiter::new();
        let quota = Quota::per_second(1, 1);
        assert!(limiter.decide("ip:a", quota, true).is_allowed());
        assert!(!limiter.decide("ip:a", quota, true).is_allowed());
        assert!(limiter.decide("ip:b", quota, true).is_allowed());
        assert_eq!(limiter.tracked_keys(), 2);
    }
}
