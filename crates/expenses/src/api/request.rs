//! Request shapes and their checks, against the caller's preferences (default currency,
//! time zone for "today").

use chrono::NaiveDate;
use groundwork_platform::pagination::{Page, PageQuery};
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::category;
use crate::model::{ExpenseFields, ExpenseFilter, Preferences};
use crate::money::Currency;
use crate::period::{Period, parse_zone, today_in};

/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 1_000;

/// An expense to record, or the full new version of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpenseRequest {
    /// A positive decimal string with at most the currency's decimals: `"12.34"`.
    #[schema(value_type = String, example = "12.34")]
    amount: Value,
    /// ISO 4217 code; default: the account's currency preference (USD unless set).
    #[serde(default)]
    currency: Option<String>,
    /// Groceries, Leisure, Electronics, Utilities, Clothing, Health or Others.
    category: String,
    /// Up to 1 000 characters.
    #[serde(default)]
    description: String,
    /// `YYYY-MM-DD`; default: today in the account's time zone.
    #[serde(default)]
    date: Option<String>,
}

fn date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "invalid",
                "expected a date as YYYY-MM-DD between 1900 and 2200",
            )
        })
}

fn description(raw: &str) -> Result<String, FieldError> {
    if raw.chars().count() > MAX_DESCRIPTION {
        return Err(FieldError::new(
            "description",
            "too_long",
            "at most 1000 characters",
        ));
    }
    if raw.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new(
            "description",
            "invalid",
            "control characters are not allowed",
        ));
    }
    Ok(raw.trim().to_owned())
}

impl ExpenseRequest {
    /// The checked fields; every bad field is named at once.
    pub fn into_fields(self, preferences: &Preferences) -> Result<ExpenseFields, ApiError> {
        let mut checks = FieldErrors::new();
        let currency = match &self.currency {
            Some(code) => checks.take(Currency::parse("currency", code)),
            None => Some(preferences.currency),
        };
        let amount = match (&self.amount, currency) {
            (Value::String(text), Some(currency)) => {
                checks.take(currency.parse_amount("amount", text))
            }
            (Value::String(_), None) => None,
            (Value::Number(_), _) => checks.take(Err(FieldError::new(
                "amount",
                "not_a_string",
                "write the amount as a string, such as \"12.34\", so that no precision is lost",
            ))),
            _ => checks.take(Err(FieldError::new(
                "amount",
                "invalid_amount",
                "an amount is a decimal string, such as \"12.34\"",
            ))),
        };
        let category = checks.take(category::parse("category", &self.category));
        let description = checks.take(description(&self.description));
        let spent_on = match &self.date {
            Some(raw) => checks.take(date("date", raw)),
            None => Some(today_in(preferences.zone)),
        };
        checks.finish(|| {
            Some(ExpenseFields {
                amount_minor: amount?,
                currency: currency?,
                category: category?,
                description: description?,
                spent_on: spent_on?,
            })
        })
    }
}

/// The filter parameters lists and summaries share.
struct FilterParams {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    currency: Option<String>,
}

impl FilterParams {
    fn parse(self, preferences: &Preferences, checks: &mut FieldErrors) -> ExpenseFilter {
        let mut filter = ExpenseFilter::default();
        if let Some(period) = self.period.as_deref() {
            if self.from.is_some() || self.to.is_some() {
                checks.push(FieldError::new(
                    "period",
                    "conflict",
                    "give either period or from/to, not both",
                ));
            } else if let Some(period) = checks.take(Period::parse(period)) {
                let (from, to) = period.range(today_in(preferences.zone));
                filter.from = Some(from);
                filter.to = Some(to);
            }
        } else {
            filter.from = self
                .from
                .as_deref()
                .and_then(|d| checks.take(date("from", d)));
            filter.to = self.to.as_deref().and_then(|d| checks.take(date("to", d)));
            if let (Some(from), Some(to)) = (filter.from, filter.to)
                && from > to
            {
                checks.push(FieldError::new("from", "invalid_range", "from is after to"));
            }
        }
        if let Some(categories) = self.category.as_deref() {
            for name in categories.split(',').filter(|c| !c.trim().is_empty()) {
                if let Some(category) = checks.take(category::parse("category", name)) {
                    filter.categories.push(category);
                }
            }
        }
        filter.currency = self
            .currency
            .as_deref()
            .and_then(|c| checks.take(Currency::parse("currency", c)));
        filter
    }
}

/// `GET /expenses` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `past_week`, `past_month` or `last_3_months` (ending today in your time zone).
    period: Option<String>,
    /// First day (`YYYY-MM-DD`), inclusive; not with `period`.
    from: Option<String>,
    /// Last day, inclusive; not with `period`.
    to: Option<String>,
    /// Only these categories, comma-separated.
    category: Option<String>,
    /// Only this currency.
    currency: Option<String>,
    /// 1-based page.
    page: Option<u64>,
    /// Expenses per page, 1 to 100 (default 20).
    limit: Option<u64>,
}

impl ListQuery {
    /// Whether it asks for a period (`past_week`, ...), which depends on the account's
    /// time zone.
    pub fn names_a_period(&self) -> bool {
        self.period.is_some()
    }

    /// The checked filter and page.
    pub fn parse(self, preferences: &Preferences) -> Result<(ExpenseFilter, Page), ApiError> {
        let mut checks = FieldErrors::new();
        let page = PageQuery {
            page: self.page,
            limit: self.limit,
        }
        .page()
        .map_err(|e| checks.absorb(&e))
        .ok();
        let filter = FilterParams {
            period: self.period,
            from: self.from,
            to: self.to,
            category: self.category,
            currency: self.currency,
        }
        .parse(preferences, &mut checks);
        checks.finish(|| Some((filter, page?)))
    }
}

/// `GET /expenses/summary` parameters: the list's filters, no paging.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// `past_week`, `past_month` or `last_3_months`.
    period: Option<String>,
    /// First day, inclusive.
    from: Option<String>,
    /// Last day, inclusive.
    to: Option<String>,
    /// Only these categories, comma-separated.
    category: Option<String>,
    /// Only this currency.
    currency: Option<String>,
}

impl SummaryQuery {
    /// The checked filter.
    pub fn parse(self, preferences: &Preferences) -> Result<ExpenseFilter, ApiError> {
        let mut checks = FieldErrors::new();
        let filter = FilterParams {
            period: self.period,
            from: self.from,
            to: self.to,
            category: self.category,
            currency: self.currency,
        }
        .parse(preferences, &mut checks);
        checks.finish(|| Some(filter))
    }
}

/// New preferences; a field left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PreferencesRequest {
    /// IANA time zone name (`Europe/Paris`).
    #[serde(default)]
    time_zone: Option<String>,
    /// Default currency of new expenses.
    #[serde(default)]
    currency: Option<String>,
}

impl PreferencesRequest {
    /// The new preferences, on top of the current ones.
    pub fn apply(self, current: Preferences) -> Result<Preferences, ApiError> {
        let zone = self
            .time_zone
            .as_deref()
            .map(|z| parse_zone("timeZone", z))
            .transpose();
        let currency = self
            .currency
            .as_deref()
            .map(|c| Currency::parse("currency", c))
            .transpose();
        match (zone, currency) {
            (Ok(zone), Ok(currency)) => Ok(Preferences {
                zone: zone.unwrap_or(current.zone),
                currency: currency.unwrap_or(current.currency),
            }),
            (zone, currency) => Err(ApiError::validation(
                [zone.err(), currency.err()].into_iter().flatten().collect(),
            )),
        }
    }
}
