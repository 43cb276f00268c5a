//! The HTTP face: `/books` CRUD and a searchable, paginated list. Reads are answered from
//! memory; writes need a signed-in account and return once they are on disk.

mod handlers;
mod request;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::store::BookStore;

pub use request::{BookRequest, ListQuery};

/// Every route, with the store as state.
pub fn router(store: BookStore) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(handlers::create_book, handlers::list_books))
        .routes(routes!(
            handlers::get_book,
            handlers::replace_book,
            handlers::delete_book
        ))
        .with_state(store)
}
