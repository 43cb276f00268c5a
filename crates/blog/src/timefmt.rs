//! Timestamps in responses: RFC 3339 in UTC with microseconds
//! (`2026-11-21T10:15:30.123456Z`). Both specs ask for ISO 8601; fractional seconds make
//! `updatedAt` visibly move even for an update right after creation.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// Serialises a timestamp.
pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// Serialises an optional timestamp (`null` when absent).
pub fn serialize_option<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serialize(time, serializer),
        None => serializer.serialize_none(),
    }
}
