//! Response shapes of `/workouts`.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::entities::{sets, workouts};
use crate::quantity::{Weight, WeightUnit, format_milli};

/// A set, planned and done.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetResponse {
    /// Planned repetitions.
    pub reps: Option<i32>,
    /// Planned weight.
    pub weight: Option<Weight>,
    /// Planned seconds.
    pub duration_secs: Option<i32>,
    /// Planned metres (decimal string).
    pub distance_metres: Option<String>,
    /// Repetitions done.
    pub actual_reps: Option<i32>,
    /// Weight used.
    pub actual_weight: Option<Weight>,
    /// Seconds done.
    pub actual_duration_secs: Option<i32>,
    /// Metres done.
    pub actual_distance_metres: Option<String>,
}

fn weight(milli: Option<i64>, unit: Option<&str>) -> Option<Weight> {
    Some(Weight {
        amount: format_milli(milli?),
        unit: Some(WeightUnit::from_stored(unit?)?),
    })
}

impl From<&sets::Model> for SetResponse {
    fn from(row: &sets::Model) -> Self {
        Self {
            reps: row.reps,
            weight: weight(row.weight_milli, row.weight_unit.as_deref()),
            duration_secs: row.duration_secs,
            distance_metres: row.distance_mm.map(format_milli),
            actual_reps: row.actual_reps,
            actual_weight: weight(row.actual_weight_milli, row.actual_weight_unit.as_deref()),
            actual_duration_secs: row.actual_duration_secs,
            actual_distance_metres: row.actual_distance_mm.map(format_milli),
        }
    }
}

/// One exercise of a workout.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkoutExerciseResponse {
    /// The exercise.
    pub exercise_id: i64,
    /// Its name.
    pub name: String,
    /// Its primary muscle group.
    pub muscle_group: String,
    /// Notes.
    pub notes: String,
    /// Sets, in order.
    pub sets: Vec<SetResponse>,
}

/// A workout, whole.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkoutResponse {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The scheduled instant (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// The same instant on the wall clock of `timeZone`.
    pub local_time: NaiveDateTime,
    /// The zone it was scheduled in.
    pub time_zone: String,
    /// pending, completed or skipped.
    pub status: String,
    /// Notes.
    pub notes: String,
    /// The recurring schedule that generated it, if any.
    pub schedule_id: Option<i64>,
    /// Exercises, in order.
    pub exercises: Vec<WorkoutExerciseResponse>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A workout in a list (without its exercises).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkoutSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The scheduled instant (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// Wall-clock time in `timeZone`.
    pub local_time: NaiveDateTime,
    /// Zone.
    pub time_zone: String,
    /// Status.
    pub status: String,
    /// The recurring schedule, if any.
    pub schedule_id: Option<i64>,
}

/// The wall-clock time of an instant in a stored zone name (UTC if it no longer parses).
pub fn local_time(instant: DateTime<Utc>, zone: &str) -> NaiveDateTime {
    let zone: Tz = zone.parse().unwrap_or(Tz::UTC);
    instant.with_timezone(&zone).naive_local()
}

impl From<workouts::Model> for WorkoutSummary {
    fn from(row: workouts::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            local_time: local_time(row.scheduled_at, &row.time_zone),
            scheduled_at: row.scheduled_at,
            time_zone: row.time_zone,
            status: row.status,
            schedule_id: row.schedule_id,
        }
    }
}
