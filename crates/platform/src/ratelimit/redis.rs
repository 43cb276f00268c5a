//! The shared limiter: the same GCRA step, run atomically inside Redis by a Lua script.
//!
//! Redis's own clock (`TIME`) is used, so instances with skewed clocks still agree. Keys
//! expire when their bucket is full again, so Redis holds only active keys.

use redis::Script;
use redis::aio::ConnectionManager;
use std::time::Duration;

use super::{Decision, Quota, RateLimitError, RateLimiter};

/// Arguments: interval (µs), tolerance (µs), consume (0/1). Returns {allowed, value} where
/// value is the remaining count when allowed and the wait in µs when not. Microseconds
/// since the epoch stay below 2^53, so Lua's doubles hold them exactly.
const GCRA_LUA: &str = r"
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local consume = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local ahead = new_tat - now
if ahead > tolerance then
  return {0, ahead - tolerance}
end
if consume == 1 then
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil(ahead / 1000) + 1)
end
return {1, math.floor((tolerance - ahead) / interval)}
";

/// Arguments: interval (µs). Gives one interval back; deletes the key when the bucket is
/// then full.
const REFUND_LUA: &str = r"
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local back = tat - interval
if back <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%d', back), 'PX', math.ceil((back - now) / 1000) + 1)
end
return 1
";

/// GCRA state in Redis, shared by every instance that uses the same prefix.
#[derive(Clone)]
pub struct RedisRateLimiter {
    connection: ConnectionManager,
    prefix: String,
    script: Script,
    refund: Script,
}

impl RedisRateLimiter {
    /// A limiter storing its keys under `prefix` (such as `gw:rl:`).
    pub fn new(connection: ConnectionManager, prefix: impl Into<String>) -> Self {
        Self {
            connection,
            prefix: prefix.into(),
            script: Script::new(GCRA_LUA),
            refund: Script::new(REFUND_LUA),
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(
        &self,
        key: &str,
        quota: Quota,
        consume: bool,
    ) -> Result<Decision, RateLimitError> {
        let interval = quota.emission_interval.as_micros().max(1);
        let tolerance = quota.tolerance().as_micros();
        let mut connection = self.connection.clone();
        let (allowed, value): (i64, i64) = self
            .script
            .key(format!("{}{key}", self.prefix))
            .arg(u64::try_from(interval).unwrap_or(u64::MAX))
            .arg(u64::try_from(tolerance).unwrap_or(u64::MAX))
            .arg(i32::from(consume))
            .invoke_async(&mut connection)
            .await
            .map_err(|e| RateLimitError(e.to_string()))?;
        let value = u64::try_from(value).unwrap_or(0);
        Ok(if allowed == 1 {
            Decision::Allowed {
                remaining: u32::try_from(value).unwrap_or(u32::MAX),
            }
        } else {
            Decision::Limited {
                retry_after: Duration::from_micros(value),
            }
        })
    }

    async fn refund(&self, key: &str, quota: Quota) -> Result<(), RateLimitError> {
        let interval = quota.emission_interval.as_micros().max(1);
        let mut connection = self.connection.clone();
        self.refund
            .key(format!("{}{key}", self.prefix))
            .arg(u64::try_from(interval).unwrap_or(u64::MAX))
            .invoke_async::<i64>(&mut connection)
            .await
            .map(|_| ())
            .map_err(|e| RateLimitError(e.to_string()))
    }
}
