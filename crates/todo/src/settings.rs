//! The `[todo]` configuration section (`GROUNDWORK__TODO__*`).

use serde::Deserialize;

/// To-do settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TodoSettings {
    /// Most items one account may hold; creating more is a 409 until some are deleted.
    /// Keeps one account from filling the database, and bounds every per-user query.
    pub max_items_per_user: u64,
}

impl Default for TodoSettings {
    fn default() -> Self {
        Self {
            max_items_per_user: 10_000,
        }
    }
}
