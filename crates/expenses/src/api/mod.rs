//! The HTTP face under `/expenses`. Every route needs a signed-in account (the platform's
//! `/auth/register` and `/auth/login` issue the tokens) and sees only that account's data.

mod handlers;
mod request;
mod response;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::service::ExpenseService;

pub use request::{ExpenseRequest, ListQuery, PreferencesRequest, SummaryQuery};
pub use response::{ExpenseResponse, PreferencesResponse, SummaryResponse};

/// Every route, with the service as state.
pub fn router(service: ExpenseService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(handlers::create_expense, handlers::list_expenses))
        .routes(routes!(handlers::summarize_expenses))
        .routes(routes!(
            handlers::get_preferences,
            handlers::set_preferences
        ))
        .routes(routes!(
            handlers::get_expense,
            handlers::replace_expense,
            handlers::delete_expense
        ))
        .with_state(service)
}
