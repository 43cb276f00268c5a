//! The expense service: preferences, expenses and summaries of one account.

use std::collections::BTreeMap;

use chrono::{SubsecRound, Utc};
use chrono_tz::Tz;
use groundwork_platform::ApiError;
use groundwork_platform::auth::repo::lock_user;
use groundwork_platform::db::begin_write;
use groundwork_platform::pagination::Page;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::ExpensesSettings;
use crate::entities::items;
use crate::model::{ExpenseFields, ExpenseFilter, Preferences};
use crate::money::Currency;
use crate::repo;

/// Totals of one currency (amounts in different currencies are never added together).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sum in minor units.
    pub minor: i64,
    /// Number of expenses.
    pub count: i64,
}

/// A summary: totals by currency, by (currency, category) and by (currency, month).
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// By currency.
    pub by_currency: BTreeMap<String, Totals>,
    /// By currency and category.
    pub by_category: BTreeMap<(String, String), Totals>,
    /// By currency and month (`YYYY-MM`).
    pub by_month: BTreeMap<(String, String), Totals>,
}

fn add(totals: &mut Totals, minor: i64, count: i64) {
    totals.minor = totals.minor.saturating_add(minor);
    totals.count += count;
}

/// The service.
#[derive(Clone)]
pub struct ExpenseService {
    db: DatabaseConnection,
    settings: ExpensesSettings,
}

fn now() -> chrono::DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The preferences of an account that set none.
pub fn default_preferences() -> Preferences {
    Preferences {
        zone: Tz::UTC,
        currency: Currency::USD,
    }
}

impl ExpenseService {
    /// A service over this pool.
    pub fn new(db: DatabaseConnection, settings: ExpensesSettings) -> Self {
        Self { db, settings }
    }

    /// The account's preferences (defaults if it set none; a stored value that no longer
    /// parses falls back to the default too).
    pub async fn preferences(&self, user: Uuid) -> Result<Preferences, ApiError> {
        let defaults = default_preferences();
        let Some(row) = repo::find_preferences(&self.db, user).await? else {
            return Ok(defaults);
        };
        Ok(Preferences {
            zone: row.time_zone.parse().unwrap_or(defaults.zone),
            currency: Currency::parse("currency", &row.currency).unwrap_or(defaults.currency),
        })
    }

    /// Stores the account's preferences.
    pub async fn set_preferences(
        &self,
        user: Uuid,
        preferences: Preferences,
    ) -> Result<(), ApiError> {
        repo::save_preferences(
            &self.db,
            user,
            preferences.zone.name(),
            preferences.currency.code(),
            now(),
        )
        .await?;
        Ok(())
    }

    /// Records an expense. 409 `too_many_expenses` at the per-account cap; the account's
    /// row is locked while counting so concurrent creates cannot overshoot it.
    pub async fn create(
        &self,
        owner: Uuid,
        fields: ExpenseFields,
    ) -> Result<items::Model, ApiError> {
        let txn = begin_write(&self.db).await?;
        if lock_user(&txn, owner).await?.is_none() {
            return Err(ApiError::unauthorized(
                "account_not_found",
                "the account behind this token no longer exists",
            ));
        }
        if repo::count_owned(&txn, owner).await? >= self.settings.max_expenses_per_user {
            return Err(ApiError::conflict(
                "too_many_expenses",
                format!(
                    "an account holds at most {} expenses",
                    self.settings.max_expenses_per_user
                ),
            ));
        }
        let row = repo::insert(&txn, owner, fields, now()).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// A page of the account's expenses, newest day first.
    pub async fn list(
        &self,
        owner: Uuid,
        filter: &ExpenseFilter,
        page: Page,
    ) -> Result<(Vec<items::Model>, u64), ApiError> {
        Ok(repo::page(&self.db, owner, filter, page).await?)
    }

    /// One of the account's expenses; someone else's is as missing as a deleted one.
    pub async fn get(&self, owner: Uuid, id: Uuid) -> Result<items::Model, ApiError> {
        repo::find_owned(&self.db, owner, id)
            .await?
            .ok_or_else(|| ApiError::not_found("expense"))
    }

    /// Replaces one of the account's expenses.
    pub async fn replace(
        &self,
        owner: Uuid,
        id: Uuid,
        fields: ExpenseFields,
    ) -> Result<items::Model, ApiError> {
        repo::replace_owned(&self.db, owner, id, fields, now())
            .await?
            .ok_or_else(|| ApiError::not_found("expense"))
    }

    /// Deletes one of the account's expenses.
    pub async fn delete(&self, owner: Uuid, id: Uuid) -> Result<(), ApiError> {
        if repo::delete_owned(&self.db, owner, id).await? {
            Ok(())
        } else {
            Err(ApiError::not_found("expense"))
        }
    }

    /// Totals of the matching expenses, from one grouped query.
    pub async fn summary(&self, owner: Uuid, filter: &ExpenseFilter) -> Result<Summary, ApiError> {
        let mut summary = Summary::default();
        for (currency, category, month, minor, count) in
            repo::summary(&self.db, owner, filter).await?
        {
            add(
                summary.by_currency.entry(currency.clone()).or_default(),
                minor,
                count,
            );
            add(
                summary
                    .by_category
                    .entry((currency.clone(), category))
                    .or_default(),
                minor,
                count,
            );
            add(
                summary.by_month.entry((currency, month)).or_default(),
                minor,
                count,
            );
        }
        Ok(summary)
    }
}
