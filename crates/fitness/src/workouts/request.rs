//! Request shapes of `/workouts` and their checks.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use groundwork_platform::error::checked_text as text;
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{NewSet, NewWorkout, NewWorkoutExercise, Status};
use crate::quantity::{Weight, parse_milli, parse_weight};
use crate::time;

/// Most exercises in one workout.
pub const MAX_EXERCISES: usize = 50;
/// Most sets of one exercise.
pub const MAX_SETS: usize = 50;

/// A workout to create, or its full new version (exercises in order: sending them in
/// another order reorders them).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkoutRequest {
    /// 1 to 200 characters.
    name: String,
    /// Wall-clock time in `timeZone` (`2026-11-23T07:00`), or RFC 3339 with an offset.
    scheduled_at: String,
    /// IANA zone (default `UTC`).
    #[serde(default)]
    time_zone: Option<String>,
    /// `pending` (default), `completed` or `skipped`.
    #[serde(default)]
    status: Option<String>,
    /// Up to 5 000 characters.
    #[serde(default)]
    notes: String,
    /// The exercises, in order (up to 50).
    #[serde(default)]
    exercises: Vec<WorkoutExerciseRequest>,
}

/// One exercise of a workout.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkoutExerciseRequest {
    /// A catalogue exercise or one of yours.
    exercise_id: i64,
    /// Notes (how it felt, what to change).
    #[serde(default)]
    notes: String,
    /// The sets, in order (up to 50).
    #[serde(default)]
    sets: Vec<SetRequest>,
}

/// One set: repetitions (and a weight) for strength, duration and/or distance for cardio;
/// the `actual*` fields record what was done.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetRequest {
    /// Planned repetitions (1 to 10 000).
    #[serde(default)]
    reps: Option<i64>,
    /// Planned weight.
    #[serde(default)]
    weight: Option<Weight>,
    /// Planned duration in seconds (1 to 86 400).
    #[serde(default)]
    duration_secs: Option<i64>,
    /// Planned distance in metres, decimal string.
    #[serde(default)]
    distance_metres: Option<String>,
    /// Repetitions done (0 to 10 000).
    #[serde(default)]
    actual_reps: Option<i64>,
    /// Weight used.
    #[serde(default)]
    actual_weight: Option<Weight>,
    /// Seconds done.
    #[serde(default)]
    actual_duration_secs: Option<i64>,
    /// Metres done, decimal string.
    #[serde(default)]
    actual_distance_metres: Option<String>,
}

fn count(field: &str, raw: Option<i64>, min: i64, max: i64) -> Result<Option<i32>, FieldError> {
    match raw {
        None => Ok(None),
        Some(value) if (min..=max).contains(&value) => Ok(i32::try_from(value).ok()),
        Some(_) => Err(FieldError::new(
            field,
            "out_of_range",
            format!("between {min} and {max}"),
        )),
    }
}

impl SetRequest {
    fn parse(&self, field: &str, checks: &mut FieldErrors) -> Option<NewSet> {
        let f = |name: &str| format!("{field}.{name}");
        let reps = checks.take(count(&f("reps"), self.reps, 1, 10_000));
        let weight = checks.take(
            self.weight
                .as_ref()
                .map(|w| parse_weight(&f("weight"), w))
                .transpose(),
        );
        let duration = checks.take(count(&f("durationSecs"), self.duration_secs, 1, 86_400));
        let distance = checks.take(
            self.distance_metres
                .as_deref()
                .map(|d| parse_milli(&f("distanceMetres"), d))
                .transpose(),
        );
        let actual_reps = checks.take(count(&f("actualReps"), self.actual_reps, 0, 10_000));
        let actual_weight = checks.take(
            self.actual_weight
                .as_ref()
                .map(|w| parse_weight(&f("actualWeight"), w))
                .transpose(),
        );
        let actual_duration = checks.take(count(
            &f("actualDurationSecs"),
            self.actual_duration_secs,
            0,
            86_400,
        ));
        let actual_distance = checks.take(
            self.actual_distance_metres
                .as_deref()
                .map(|d| parse_milli(&f("actualDistanceMetres"), d))
                .transpose(),
        );
        if self.reps.is_none() && self.duration_secs.is_none() && self.distance_metres.is_none() {
            checks.push(FieldError::new(
                field,
                "empty_set",
                "a set plans repetitions, a duration or a distance",
            ));
        }
        Some(NewSet {
            reps: reps?,
            weight: weight?,
            duration_secs: duration?,
            distance_mm: distance?,
            actual_reps: actual_reps?,
            actual_weight: actual_weight?,
            actual_duration_secs: actual_duration?,
            actual_distance_mm: actual_distance?,
        })
    }
}

impl WorkoutRequest {
    /// The workout a recurring schedule repeats, first scheduled at `first_local` (a local
    /// date-time in `time_zone`); the schedule then moves it to each occurrence.
    pub fn for_schedule(
        name: String,
        time_zone: Option<String>,
        notes: String,
        exercises: Vec<WorkoutExerciseRequest>,
        first_local: String,
    ) -> Self {
        Self {
            name,
            scheduled_at: first_local,
            time_zone,
            status: None,
            notes,
            exercises,
        }
    }

    /// The checked workout. Whether the exercises exist (and are visible to the caller)
    /// is checked against the database by the service.
    pub fn parse(self) -> Result<NewWorkout, ApiError> {
        let mut checks = FieldErrors::new();
        let name = checks.take(text("name", &self.name, 200, true));
        let notes = checks.take(text("notes", &self.notes, 5_000, false));
        let zone: Option<Tz> = match &self.time_zone {
            Some(raw) => checks.take(time::zone("timeZone", raw)),
            None => Some(Tz::UTC),
        };
        let scheduled_at: Option<DateTime<Utc>> = zone.and_then(|zone| {
            checks.take(time::local_to_utc("scheduledAt", &self.scheduled_at, zone))
        });
        let status = match &self.status {
            Some(raw) => checks.take(Status::parse(raw)),
            None => Some(Status::Pending),
        };
        if self.exercises.len() > MAX_EXERCISES {
            checks.push(FieldError::new(
                "exercises",
                "too_many",
                "at most 50 exercises",
            ));
        }
        let mut exercises = Vec::with_capacity(self.exercises.len());
        for (i, entry) in self.exercises.iter().enumerate() {
            let field = format!("exercises[{i}]");
            if entry.sets.len() > MAX_SETS {
                checks.push(FieldError::new(
                    format!("{field}.sets"),
                    "too_many",
                    "at most 50 sets",
                ));
            }
            let notes = checks.take(text(&format!("{field}.notes"), &entry.notes, 2_000, false));
            let sets: Vec<Option<NewSet>> = entry
                .sets
                .iter()
                .enumerate()
                .map(|(j, set)| set.parse(&format!("{field}.sets[{j}]"), &mut checks))
                .collect();
            if let (Some(notes), Some(sets)) = (notes, sets.into_iter().collect::<Option<Vec<_>>>())
            {
                exercises.push(NewWorkoutExercise {
                    exercise_id: entry.exercise_id,
                    notes,
                    sets,
                });
            }
        }
        checks.finish(|| {
            Some(NewWorkout {
                name: name?,
                scheduled_at: scheduled_at?,
                zone: zone?,
                status: status?,
                notes: notes?,
                exercises,
            })
        })
    }
}
