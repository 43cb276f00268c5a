//! How an SQLite connection waits for another writer.
//!
//! SQLite's own busy handler (what `busy_timeout` installs) sleeps 1, 2, 5, 10, 15, 20,
//! 25, 25, 25, 50, 50 and then 100 ms between attempts to take the write lock. A writer
//! that has lost a few rounds to busy neighbours therefore sleeps 50-100 ms while the lock
//! it waits for, held for well under a millisecond per transaction here, is free most of
//! that time: those sleeps were the p99 of job enqueue-to-start (bench/jobs.sh, steady
//! rate). The handler below retries every millisecond instead, until the same total
//! timeout. A failed attempt costs a few microseconds, so the polling is cheap.
//!
//! SQLite offers no safe Rust API for this (sqlx exposes only the timeout), hence the one
//! `unsafe` call in the workspace, kept to this file.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};
use std::time::Duration;

use sea_orm::sqlx::SqliteConnection;

/// The pause between two attempts to take the lock.
const RETRY_EVERY: Duration = Duration::from_millis(1);

/// Replaces the connection's busy handler with one that retries every [`RETRY_EVERY`]
/// for [`super::SQLITE_BUSY_TIMEOUT`] in all (counted in attempts; oversleeping only
/// makes it longer).
pub(super) async fn wait_in_short_steps(
    connection: &mut SqliteConnection,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut handle = connection.lock_handle().await?;
    let database = handle.as_raw_handle();
    // SAFETY: `database` is the open connection, which `handle` keeps locked for us for
    // the duration of the call. The callback is a plain function that reads no user data
    // (the data pointer is null) and cannot unwind (it only compares and sleeps).
    let status = unsafe {
        libsqlite3_sys::sqlite3_busy_handler(
            database.as_ptr(),
            Some(retry_soon),
            std::ptr::null_mut(),
        )
    };
    if status == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sea_orm::sqlx::Error::Protocol(format!(
            "cannot install the SQLite busy handler (code {status})"
        )))
    }
}

/// Called by SQLite with the number of earlier calls for the same lock; returning 0 gives
/// up (the statement fails with `SQLITE_BUSY`), anything else retries.
extern "C" fn retry_soon(_data: *mut c_void, earlier_calls: c_int) -> c_int {
    let waited = RETRY_EVERY * u32::try_from(earlier_calls).unwrap_or(u32::MAX / 2);
    if waited >= super::SQLITE_BUSY_TIMEOUT {
        return 0;
    }
    std::thread::sleep(RETRY_EVERY);
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_retries_until_the_timeout_then_gives_up() {
        let last_retry = super::super::SQLITE_BUSY_TIMEOUT.as_millis() - 1;
        let last_retry = c_int::try_from(last_retry).unwrap();
        assert_eq!(retry_soon(std::ptr::null_mut(), 0), 1);
        assert_eq!(retry_soon(std::ptr::null_mut(), last_retry), 1);
        assert_eq!(retry_soon(std::ptr::null_mut(), last_retry + 1), 0);
        assert_eq!(retry_soon(std::ptr::null_mut(), c_int::MAX), 0);
    }
}
