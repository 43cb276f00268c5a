//! The `[expenses]` configuration section (`GROUNDWORK__EXPENSES__*`).

use serde::Deserialize;

/// Expense settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpensesSettings {
    /// Most expenses one account may hold (bounds every per-account query, and keeps
    /// summaries within `i64`; see `money::MAX_MAJOR_UNITS`).
    pub max_expenses_per_user: u64,
}

impl Default for ExpensesSettings {
    fn default() -> Self {
        Self {
            max_expenses_per_user: 100_000,
        }
    }
}
