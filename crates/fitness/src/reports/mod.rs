//! `/reports`: for a period of local dates, how many scheduled workouts were completed,
//! the count per status, weekly volume per exercise and per muscle group, and personal
//! records. Three queries; the database does the aggregation (see `repo.rs`).
//!
//! Each workout counts on its own local date (the calendar day it was scheduled on in its
//! own zone), so a 23:30 workout in New York belongs to that day, not to the next day in
//! UTC, and weeks do not shift when the clocks change.

mod repo;

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::NaiveDate;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Query};
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Longest period of one report, in days (ten years).
pub const MAX_DAYS: i64 = 3_660;

/// The report route.
pub fn router(db: DatabaseConnection) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(get_report))
        .with_state(db)
}

/// `GET /reports` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First local date, `YYYY-MM-DD`.
    from: String,
    /// Last local date, inclusive.
    to: String,
}

impl ReportQuery {
    fn dates(&self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        let mut checks = FieldErrors::new();
        let date = |field: &str, raw: &str| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new(field, "invalid", "a date as YYYY-MM-DD"))
        };
        let from = checks.take(date("from", &self.from));
        let to = checks.take(date("to", &self.to));
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                checks.push(FieldError::new("from", "invalid_range", "from is after to"));
            } else if (to - from).num_days() >= MAX_DAYS {
                checks.push(FieldError::new(
                    "to",
                    "too_long",
                    "a report covers at most ten years",
                ));
            }
        }
        checks.finish(|| Some((from?, to?)))
    }
}

/// Volume of one exercise in one week.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExerciseVolume {
    /// Monday of the week.
    pub week: String,
    /// The exercise.
    pub exercise_id: i64,
    /// Its name.
    pub name: String,
    /// Sum of reps × kg, three decimals.
    pub volume_kg: String,
}

/// Volume of one muscle group in one week.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MuscleGroupVolume {
    /// Monday of the week.
    pub week: String,
    /// The muscle group.
    pub muscle_group: String,
    /// Sum of reps × kg, three decimals.
    pub volume_kg: String,
}

/// The heaviest set of one exercise in the period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonalRecordResponse {
    /// The exercise.
    pub exercise_id: i64,
    /// Its name.
    pub name: String,
    /// Weight in kg, three decimals.
    pub weight_kg: String,
    /// Repetitions at that weight.
    pub reps: i32,
    /// Local date it was first lifted.
    pub date: NaiveDate,
}

/// A report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportResponse {
    /// First local date.
    pub from: NaiveDate,
    /// Last local date.
    pub to: NaiveDate,
    /// Workouts scheduled in the period.
    pub scheduled: i64,
    /// Of those, completed.
    pub completed: i64,
    /// Skipped.
    pub skipped: i64,
    /// Still pending.
    pub pending: i64,
    /// Completed as a percentage of scheduled, one decimal; null when none was scheduled.
    pub completion_rate: Option<f64>,
    /// Weekly volume per exercise (completed workouts).
    pub volume_by_exercise: Vec<ExerciseVolume>,
    /// Weekly volume per muscle group.
    pub volume_by_muscle_group: Vec<MuscleGroupVolume>,
    /// Heaviest set per exercise.
    pub personal_records: Vec<PersonalRecordResponse>,
}

fn kg(value: f64) -> String {
    format!("{value:.3}")
}

/// Your report for a period of local dates.
///
/// Example: `GET /fitness/reports?from=2026-01-01&to=2026-12-31`.
#[utoipa::path(
    get,
    path = "/reports",
    params(ReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report", body = ReportResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad dates, `from` after `to`, or more than ten years", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_report(
    State(db): State<DatabaseConnection>,
    user: AuthUser,
    Query(query): Query<ReportQuery>,
) -> Result<Json<ReportResponse>, ApiError> {
    let (from, to) = query.dates()?;
    let counts = repo::status_counts(&db, user.id, from, to).await?;
    let count = |status: &str| {
        counts
            .iter()
            .find(|c| c.status == status)
            .map_or(0, |c| c.count)
    };
    let (completed, skipped, pending) = (count("completed"), count("skipped"), count("pending"));
    let scheduled = completed + skipped + pending;
    let completion_rate =
        (scheduled > 0).then(|| (completed as f64 * 1000.0 / scheduled as f64).round() / 10.0);

    let weekly = repo::weekly_volume(&db, user.id, from, to).await?;
    let mut by_group: BTreeMap<(String, String), f64> = BTreeMap::new();
    for row in &weekly {
        *by_group
            .entry((row.week.clone(), row.muscle_group.clone()))
            .or_default() += row.volume;
    }
    let volume_by_exercise = weekly
        .into_iter()
        .map(|row| ExerciseVolume {
            week: row.week,
            exercise_id: row.exercise_id,
            name: row.name,
            volume_kg: kg(row.volume),
        })
        .collect();
    let volume_by_muscle_group = by_group
        .into_iter()
        .map(|((week, muscle_group), volume)| MuscleGroupVolume {
            week,
            muscle_group,
            volume_kg: kg(volume),
        })
        .collect();
    let personal_records = repo::personal_records(&db, user.id, from, to)
        .await?
        .into_iter()
        .map(|record| PersonalRecordResponse {
            exercise_id: record.exercise_id,
            name: record.name,
            weight_kg: kg(record.kg),
            reps: record.reps,
            date: record.local_date,
        })
        .collect();
    Ok(Json(ReportResponse {
        from,
        to,
        scheduled,
        completed,
        skipped,
        pending,
        completion_rate,
        volume_by_exercise,
        volume_by_muscle_group,
        personal_records,
    }))
}
