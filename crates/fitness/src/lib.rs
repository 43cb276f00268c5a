//! The roadmap "fitness workout tracker" under `/fitness`: an exercise catalogue (67 real
//! exercises inserted by a migration; admins edit it, users add private exercises);
//! workouts with ordered exercises and exact sets, planned and done; comments; recurring
//! schedules; active and past lists; and reports computed by the database, right across
//! time zones and DST (see docs/systems/fitness.md). Accounts are the platform's (`/auth`).

pub mod catalogue;
pub mod comments;
pub mod entities;
pub mod exercises;
pub mod migrations;
mod migrations_local_date;
mod migrations_workouts;
pub mod quantity;
pub mod reports;
pub mod schedules;
pub mod seed;
pub mod time;
pub mod workouts;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

/// The fitness tracker, mounted at `/fitness`.
pub struct FitnessSystem;

impl System for FitnessSystem {
    fn name(&self) -> &'static str {
        "fitness"
    }

    fn default_mount(&self) -> &'static str {
        "/fitness"
    }

    fn description(&self) -> &'static str {
        "Fitness: an exercise catalogue, your own exercises, and workouts with their sets."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let exercises =
            exercises::ExerciseService::new(platform.db().clone(), platform.auth().clone());
        let workouts = workouts::WorkoutService::new(platform.db().clone());
        Ok(exercises::router(exercises)
            .merge(schedules::router(platform.db().clone(), workouts.clone()))
            .merge(workouts::router(workouts))
            .merge(comments::router(platform.db().clone()))
            .merge(reports::router(platform.db().clone())))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }
}
