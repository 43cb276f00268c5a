//! Percentiles, time spans, and the server's resident memory and CPU time.

use anyhow::Context;

/// The server's resident memory in KiB (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {path}: is the server running?"))?;
    // The line reads "VmRSS:	   12345 kB".
    let value = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .with_context(|| format!("no VmRSS in {path}"))?;
    value
        .parse()
        .with_context(|| format!("unexpected VmRSS {value:?} in {path}"))
}

/// The CPU time the server has used so far, user and system, in seconds (`utime` and
/// `stime` of `/proc/<pid>/stat`, counted in USER_HZ, which Linux fixes at 100 there).
pub fn cpu_secs(pid: u32) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {path}: is the server running?"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count from the
    // last ')'. After it come field 3 (state) onwards; utime and stime are 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |field: usize| -> anyhow::Result<u64> {
        let value = fields
            .get(field - 3)
            .with_context(|| format!("{path} has no field {field}"))?;
        value
            .parse::<u64>()
            .with_context(|| format!("unexpected field {field} {value:?} in {path}"))
    };
    Ok((ticks(14)? + ticks(15)?) as f64 / 100.0)
}

/// The growth of the resident memory from `before` to `after` (KiB), per connection, in
/// bytes.
pub fn bytes_per_connection(
    before: Option<u64>,
    after: Option<u64>,
    connections: u64,
) -> Option<u64> {
    let (before, after) = (before?, after?);
    (connections > 0).then(|| after.saturating_sub(before) * 1024 / connections)
}

/// The `p`th percentile (0 < p ≤ 100) of `sorted` by nearest rank, in milliseconds
/// (`sorted` holds microseconds); `None` when there is nothing to rank.
pub fn percentile_ms(sorted: &[u32], p: f64) -> Option<f64> {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len().max(1)) - 1;
    sorted.get(index).map(|&us| ms(us))
}

/// Microseconds as (fractional) milliseconds.
pub fn ms(us: u32) -> f64 {
    f64::from(us) / 1000.0
}

/// The length of the union of `[start, end)` spans (nanoseconds), in seconds: the time
/// during which at least one of them was open. Spans overlap when messages are sent
/// faster than one fan-out completes.
pub fn union_secs(spans: &mut [(u64, u64)]) -> f64 {
    spans.sort_unstable();
    let (mut total, mut open): (u64, Option<(u64, u64)>) = (0, None);
    for &(start, end) in spans.iter() {
        open = match open {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e.saturating_sub(s);
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = open {
        total += e.saturating_sub(s);
    }
    total as f64 / 1e9
}

/// `count` per second over `secs`; `None` for an empty span.
pub fn rate(count: u64, secs: f64) -> Option<f64> {
    (secs > 0.0).then(|| (count as f64 / secs).round())
}
