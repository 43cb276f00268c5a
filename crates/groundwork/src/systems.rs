//! Every system this binary can mount, in landing-page order. A new system crate is added
//! here and nowhere else.

use std::sync::Arc;

use groundwork_blog::BlogSystem;
use groundwork_books::BooksSystem;
use groundwork_broadcast::BroadcastSystem;
use groundwork_expenses::ExpensesSystem;
use groundwork_fitness::FitnessSystem;
use groundwork_jobs::JobsSystem;
use groundwork_notes::NotesSystem;
use groundwork_platform::System;
use groundwork_platform::auth::AuthSystem;
use groundwork_polls::PollsSystem;
use groundwork_shortener::ShortenerSystem;
use groundwork_todo::TodoSystem;
use groundwork_weather::WeatherSystem;

/// All systems, each at its default mount path unless `--mount` says otherwise.
pub fn all() -> Vec<Arc<dyn System>> {
    vec![
        Arc::new(AuthSystem),
        Arc::new(BlogSystem),
        Arc::new(TodoSystem),
        Arc::new(ExpensesSystem),
        Arc::new(BooksSystem),
        Arc::new(FitnessSystem),
        Arc::new(ShortenerSystem::default()),
        Arc::new(WeatherSystem),
        Arc::new(BroadcastSystem::default()),
        Arc::new(PollsSystem),
        Arc::new(JobsSystem),
        Arc::new(NotesSystem),
    ]
}
