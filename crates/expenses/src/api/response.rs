//! Response shapes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::entities::items;
use crate::model::Preferences;
use crate::money::Currency;
use crate::service::{Summary, Totals};

/// Formats minor units of a stored currency code (codes in the table were checked on the
/// way in; an unknown one prints the raw minor units).
fn amount(code: &str, minor: i64) -> String {
    Currency::parse("currency", code)
        .map(|c| c.format(minor))
        .unwrap_or_else(|_| minor.to_string())
}

/// An expense.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpenseResponse {
    /// Id.
    pub id: Uuid,
    /// Decimal string with the currency's decimals (`"12.30"`).
    pub amount: String,
    /// The same amount in minor units (`1230`).
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Category.
    pub category: String,
    /// Description.
    pub description: String,
    /// Day spent, in the account's time zone.
    pub date: NaiveDate,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<items::Model> for ExpenseResponse {
    fn from(row: items::Model) -> Self {
        Self {
            id: row.id,
            amount: amount(&row.currency, row.amount_minor),
            amount_minor: row.amount_minor,
            currency: row.currency,
            category: row.category,
            description: row.description,
            date: row.spent_on,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A sum in one currency.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// Sum, decimal string.
    pub amount: String,
    /// Number of expenses.
    pub count: i64,
}

/// A sum of one category in one currency.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategoryTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// Category.
    pub category: String,
    /// Sum, decimal string.
    pub amount: String,
    /// Number of expenses.
    pub count: i64,
}

/// A sum of one month in one currency.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonthTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Sum, decimal string.
    pub amount: String,
    /// Number of expenses.
    pub count: i64,
}

/// Totals of the matching expenses. Currencies are never added together.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryResponse {
    /// First day of the range, if any.
    pub from: Option<NaiveDate>,
    /// Last day of the range, if any.
    pub to: Option<NaiveDate>,
    /// The time zone "today" was taken in.
    pub time_zone: String,
    /// By currency.
    pub totals: Vec<CurrencyTotal>,
    /// By currency and category.
    pub by_category: Vec<CategoryTotal>,
    /// By currency and month, oldest first.
    pub by_month: Vec<MonthTotal>,
}

impl SummaryResponse {
    /// Renders a summary.
    pub fn new(
        summary: Summary,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        preferences: &Preferences,
    ) -> Self {
        let totals = summary
            .by_currency
            .into_iter()
            .map(|(currency, Totals { minor, count })| CurrencyTotal {
                amount: amount(&currency, minor),
                currency,
                count,
            })
            .collect();
        let by_category = summary
            .by_category
            .into_iter()
            .map(
                |((currency, category), Totals { minor, count })| CategoryTotal {
                    amount: amount(&currency, minor),
                    currency,
                    category,
                    count,
                },
            )
            .collect();
        let by_month = summary
            .by_month
            .into_iter()
            .map(|((currency, month), Totals { minor, count })| MonthTotal {
                amount: amount(&currency, minor),
                currency,
                month,
                count,
            })
            .collect();
        Self {
            from,
            to,
            time_zone: preferences.zone.name().to_owned(),
            totals,
            by_category,
            by_month,
        }
    }
}

/// An account's preferences.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferencesResponse {
    /// IANA time zone name.
    pub time_zone: String,
    /// Default currency.
    pub currency: String,
}

impl From<Preferences> for PreferencesResponse {
    fn from(preferences: Preferences) -> Self {
        Self {
            time_zone: preferences.zone.name().to_owned(),
            currency: preferences.currency.code().to_owned(),
        }
    }
}
