//! The HTTP face under `/notes`. Every route needs a signed-in account and sees only that
//! account's notes and dictionary.

mod dictionary;
mod dto;
mod notes;
mod tools;
mod upload;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::service::NotesService;

pub use dto::*;

/// Every route, with the service as state.
pub fn router(service: NotesService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(notes::create_note, notes::list_notes))
        .routes(routes!(tools::render_markdown))
        .routes(routes!(tools::check_grammar))
        .routes(routes!(dictionary::list_words, dictionary::add_word))
        .routes(routes!(dictionary::remove_word))
        .routes(routes!(
            notes::get_note,
            notes::update_note,
            notes::delete_note
        ))
        .routes(routes!(notes::get_raw_note))
        .routes(routes!(notes::get_note_html))
        .routes(routes!(tools::check_note_grammar))
        .with_state(service)
}
