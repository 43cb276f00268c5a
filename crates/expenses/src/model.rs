//! Checked values the service works with.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::money::Currency;

/// An account's preferences.
#[derive(Clone, Copy, Debug)]
pub struct Preferences {
    /// Where "today" is.
    pub zone: Tz,
    /// Default currency of new expenses.
    pub currency: Currency,
}

/// A checked expense (to create, or the full new version of one).
#[derive(Clone, Debug)]
pub struct ExpenseFields {
    /// Minor units, positive.
    pub amount_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// Canonical category name.
    pub category: &'static str,
    /// Description.
    pub description: String,
    /// Day spent.
    pub spent_on: NaiveDate,
}

/// A checked filter of lists and summaries; dates inclusive.
#[derive(Clone, Debug, Default)]
pub struct ExpenseFilter {
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// Only these categories (any when empty).
    pub categories: Vec<&'static str>,
    /// Only this currency.
    pub currency: Option<Currency>,
}
