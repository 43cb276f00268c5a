//! The real-time polling app (seed 001 #7), under `/polls`: polls with 2 to 20 options,
//! single or multiple choice, open to anyone with a voter token or to signed-in users
//! only, closing on demand or at a set time; one vote per voter, enforced by the
//! database; live tallies over WebSocket (`/polls/{id}/live`) that reach the clients of
//! every instance through the platform's pub/sub; and a terminal client
//! (`groundwork polls watch|vote`). See docs/systems/polls.md.

pub mod api;
pub mod cli;
pub mod domain;
pub mod entities;
pub mod live;
pub mod migrations;
pub mod repo;
pub mod service;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use service::Polls;

/// The polls system, mounted at `/polls`.
pub struct PollsSystem;

impl System for PollsSystem {
    fn name(&self) -> &'static str {
        "polls"
    }

    fn default_mount(&self) -> &'static str {
        "/polls"
    }

    fn description(&self) -> &'static str {
        "Real-time polls: one vote per voter, live tallies over WebSocket across instances."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        use api::{handlers, live};
        Ok(OpenApiRouter::new()
            .routes(routes!(handlers::create_poll))
            .routes(routes!(handlers::list_my_polls))
            .routes(routes!(handlers::issue_voter_token))
            .routes(routes!(handlers::get_poll))
            .routes(routes!(
                handlers::cast_vote,
                handlers::change_vote,
                handlers::withdraw_vote
            ))
            .routes(routes!(handlers::close_poll))
            .routes(routes!(live::live_poll))
            .with_state(Polls::new(platform)))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }
}
