//! The roadmap "expense tracker API" under `/expenses`: each account's expenses with exact
//! amounts (integer minor units and an ISO 4217 currency, entered as decimal strings),
//! the spec's fixed categories, filters by period (`past_week`, `past_month`,
//! `last_3_months`) or custom dates computed in the account's own time zone, and
//! summaries by currency, category and month. Sign-up and login are the platform's
//! (`/auth/register`, `/auth/login`): an account works across Groundwork.

pub mod api;
pub mod category;
pub mod entities;
pub mod migrations;
pub mod model;
pub mod money;
pub mod period;
pub mod repo;
pub mod seed;
pub mod service;
pub mod settings;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

pub use service::ExpenseService;
pub use settings::ExpensesSettings;

/// The expense tracker, mounted at `/expenses`.
pub struct ExpensesSystem;

impl System for ExpensesSystem {
    fn name(&self) -> &'static str {
        "expenses"
    }

    fn default_mount(&self) -> &'static str {
        "/expenses"
    }

    fn description(&self) -> &'static str {
        "Expense tracking: exact money, fixed categories, periods in your time zone, summaries."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let settings: ExpensesSettings = platform.config().section("expenses")?;
        Ok(api::router(ExpenseService::new(
            platform.db().clone(),
            settings,
        )))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }
}
