//! `/workouts`: each account's workouts with their ordered exercises and sets (planned and
//! done). Every query is scoped to the owner in the repository; someone else's workout is
//! a 404, like one that does not exist.

mod handlers;
pub(crate) mod repo;
mod request;
mod response;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use groundwork_platform::db::begin_write;
use groundwork_platform::pagination::{Page, Paginated};
use groundwork_platform::{ApiError, FieldError};
use sea_orm::DatabaseConnection;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::quantity::WeightUnit;

pub use request::{SetRequest, WorkoutExerciseRequest, WorkoutRequest};
pub use response::{WorkoutResponse, WorkoutSummary};

/// The workout routes.
pub fn router(service: WorkoutService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(handlers::create_workout))
        .routes(routes!(handlers::list_active_workouts))
        .routes(routes!(handlers::list_past_workouts))
        .routes(routes!(
            handlers::get_workout,
            handlers::replace_workout,
            handlers::delete_workout
        ))
        .with_state(service)
}

/// Where a workout stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Planned.
    Pending,
    /// Done.
    Completed,
    /// Not done, on purpose.
    Skipped,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 3] = [Status::Pending, Status::Completed, Status::Skipped];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Completed => "completed",
            Status::Skipped => "skipped",
        }
    }

    /// Parses a name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "status",
                    "invalid",
                    "status must be pending, completed or skipped",
                )
            })
    }
}

/// A checked set.
#[derive(Clone, Debug, Default)]
pub struct NewSet {
    /// Planned repetitions.
    pub reps: Option<i32>,
    /// Planned weight (thousandths, unit).
    pub weight: Option<(i64, WeightUnit)>,
    /// Planned seconds.
    pub duration_secs: Option<i32>,
    /// Planned millimetres.
    pub distance_mm: Option<i64>,
    /// Repetitions done.
    pub actual_reps: Option<i32>,
    /// Weight used.
    pub actual_weight: Option<(i64, WeightUnit)>,
    /// Seconds done.
    pub actual_duration_secs: Option<i32>,
    /// Millimetres done.
    pub actual_distance_mm: Option<i64>,
}

/// A checked exercise of a workout.
#[derive(Clone, Debug)]
pub struct NewWorkoutExercise {
    /// The exercise.
    pub exercise_id: i64,
    /// Notes.
    pub notes: String,
    /// Sets, in order.
    pub sets: Vec<NewSet>,
}

/// A checked workout.
#[derive(Clone, Debug)]
pub struct NewWorkout {
    /// Name.
    pub name: String,
    /// The instant.
    pub scheduled_at: DateTime<Utc>,
    /// The zone it was scheduled in.
    pub zone: Tz,
    /// Status.
    pub status: Status,
    /// Notes.
    pub notes: String,
    /// Exercises, in order.
    pub exercises: Vec<NewWorkoutExercise>,
}

impl NewWorkout {
    /// The calendar date it is scheduled on, in its own zone.
    pub fn local_date(&self) -> chrono::NaiveDate {
        self.scheduled_at.with_timezone(&self.zone).date_naive()
    }
}

/// The workout service.
#[derive(Clone)]
pub struct WorkoutService {
    db: DatabaseConnection,
}

impl WorkoutService {
    /// A service over this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// 422 naming every exercise the owner cannot use (unknown, or someone else's).
    pub async fn check_exercises(&self, owner: Uuid, workout: &NewWorkout) -> Result<(), ApiError> {
        let ids: Vec<i64> = workout.exercises.iter().map(|e| e.exercise_id).collect();
        let usable = repo::usable_exercises(&self.db, owner, &ids).await?;
        let errors: Vec<FieldError> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| !usable.contains(id))
            .map(|(i, _)| {
                FieldError::new(
                    format!("exercises[{i}].exerciseId"),
                    "unknown_exercise",
                    "no such exercise in the catalogue or among yours",
                )
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(errors))
        }
    }

    /// Creates a workout with its exercises and sets.
    pub async fn create(
        &self,
        owner: Uuid,
        workout: NewWorkout,
    ) -> Result<WorkoutResponse, ApiError> {
        self.check_exercises(owner, &workout).await?;
        let txn = begin_write(&self.db).await?;
        let id = repo::insert(&txn, owner, &workout, None).await?;
        txn.commit().await?;
        self.get(owner, id).await
    }

    /// One of the owner's workouts, whole.
    pub async fn get(&self, owner: Uuid, id: i64) -> Result<WorkoutResponse, ApiError> {
        repo::load(&self.db, owner, id)
            .await?
            .ok_or_else(|| ApiError::not_found("workout"))
    }

    /// Replaces one of the owner's workouts, exercises and sets included.
    pub async fn replace(
        &self,
        owner: Uuid,
        id: i64,
        workout: NewWorkout,
    ) -> Result<WorkoutResponse, ApiError> {
        self.check_exercises(owner, &workout).await?;
        let txn = begin_write(&self.db).await?;
        if !repo::replace(&txn, owner, id, &workout).await? {
            return Err(ApiError::not_found("workout"));
        }
        txn.commit().await?;
        self.get(owner, id).await
    }

    /// Deletes one of the owner's workouts.
    pub async fn delete(&self, owner: Uuid, id: i64) -> Result<(), ApiError> {
        if repo::delete(&self.db, owner, id).await? {
            Ok(())
        } else {
            Err(ApiError::not_found("workout"))
        }
    }

    /// Pending workouts, soonest first (overdue ones included, at the top).
    pub async fn active(
        &self,
        owner: Uuid,
        page: Page,
    ) -> Result<Paginated<WorkoutSummary>, ApiError> {
        let filter = repo::ListFilter {
            statuses: vec![Status::Pending],
            ..Default::default()
        };
        let (rows, total) = repo::page(&self.db, owner, &filter, false, page).await?;
        Ok(Paginated::new(rows, page, total))
    }

    /// Workouts scheduled before now, most recent first.
    pub async fn past(
        &self,
        owner: Uuid,
        mut filter: repo::ListFilter,
        page: Page,
    ) -> Result<Paginated<WorkoutSummary>, ApiError> {
        let now = Utc::now();
        filter.before = Some(filter.before.map_or(now, |before| before.min(now)));
        let (rows, total) = repo::page(&self.db, owner, &filter, true, page).await?;
        Ok(Paginated::new(rows, page, total))
    }
}

pub use repo::ListFilter;
