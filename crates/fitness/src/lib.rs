//! The roadmap "fitness workout tracker" under `/fitness`. Built so far: the exercise
//! catalogue (at least 60 real exercises, inserted by a migration; admins edit it, users
//! add private exercises). Workouts, sets, comments, schedules and reports follow (see
//! docs/systems/fitness.md). Accounts are the platform's (`/auth`).

pub mod catalogue;
pub mod entities;
pub mod exercises;
pub mod migrations;

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
        "Fitness: an exercise catalogue and your own exercises (workouts in progress)."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let service =
            exercises::ExerciseService::new(platform.db().clone(), platform.auth().clone());
        Ok(exercises::router(service))
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        migrations::all()
    }
}
