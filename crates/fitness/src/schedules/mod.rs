//! `/schedules`: recurring workouts. "Every Monday and Thursday at 07:00 for 8 weeks"
//! generates one ordinary workout per occurrence, each linked to the schedule; editing or
//! completing one occurrence changes only that one.
//!
//! Occurrences are wall-clock times in the schedule's zone, so 07:00 stays 07:00 across
//! DST changes. A time that does not exist on some day (inside the hour the clocks skip)
//! moves to the first valid minute after the gap.

mod repo;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use groundwork_platform::auth::AuthUser;
use groundwork_platform::db::begin_write;
use groundwork_platform::error::Problem;
use groundwork_platform::http::extract::{Json, Path};
use groundwork_platform::{ApiError, FieldError, FieldErrors};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::time;
use crate::workouts::{WorkoutExerciseRequest, WorkoutRequest, WorkoutService, WorkoutSummary};

/// Most workouts one schedule may generate.
pub const MAX_OCCURRENCES: usize = 200;

/// What the schedule handlers need.
#[derive(Clone)]
pub struct Schedules {
    db: DatabaseConnection,
    workouts: WorkoutService,
}

/// The schedule routes.
pub fn router(db: DatabaseConnection, workouts: WorkoutService) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(create_schedule))
        .routes(routes!(delete_schedule))
        .with_state(Schedules { db, workouts })
}

/// A recurring rule and the workout it repeats.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScheduleRequest {
    /// The workouts' name.
    name: String,
    /// Days of the week: `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`.
    weekdays: Vec<String>,
    /// Local time of day, `HH:MM`.
    time: String,
    /// IANA zone (default UTC).
    #[serde(default)]
    time_zone: Option<String>,
    /// First day that may hold an occurrence (`YYYY-MM-DD`).
    start_date: String,
    /// How many weeks from `startDate` (1 to 104).
    weeks: u32,
    /// The workouts' notes.
    #[serde(default)]
    notes: String,
    /// The workouts' exercises and sets.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    exercises: Vec<WorkoutExerciseRequest>,
}

/// What a schedule generated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleResponse {
    /// The schedule's id (each workout's `scheduleId`).
    pub id: i64,
    /// The workouts, in order.
    pub workouts: Vec<WorkoutSummary>,
}

fn weekday(raw: &str) -> Option<Weekday> {
    match raw.trim().to_lowercase().as_str() {
        "mon" | "monday" => Some(Weekday::Mon),
        "tue" | "tuesday" => Some(Weekday::Tue),
        "wed" | "wednesday" => Some(Weekday::Wed),
        "thu" | "thursday" => Some(Weekday::Thu),
        "fri" | "friday" => Some(Weekday::Fri),
        "sat" | "saturday" => Some(Weekday::Sat),
        "sun" | "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

/// The rule, checked.
struct Rule {
    weekdays: Vec<Weekday>,
    time: NaiveTime,
    zone: Tz,
    start: NaiveDate,
    weeks: u32,
}

impl Rule {
    /// Every occurrence, as UTC instants, in order.
    fn occurrences(&self) -> Vec<chrono::DateTime<Utc>> {
        let days = i64::from(self.weeks) * 7;
        (0..days)
            .filter_map(|offset| self.start.checked_add_signed(Duration::days(offset)))
            .filter(|day| self.weekdays.contains(&day.weekday()))
            .map(|day| self.at(day))
            .collect()
    }

    /// The local time on that day, or the first valid minute after a DST gap.
    fn at(&self, day: NaiveDate) -> chrono::DateTime<Utc> {
        let mut local = day.and_time(self.time);
        for _ in 0..=180 {
            if let Some(instant) = self.zone.from_local_datetime(&local).earliest() {
                return instant.with_timezone(&Utc);
            }
            local += Duration::minutes(1);
        }
        time::start_of_day(day, self.zone)
    }
}

impl ScheduleRequest {
    fn rule(&self) -> Result<Rule, ApiError> {
        let mut checks = FieldErrors::new();
        let mut weekdays = Vec::new();
        for (i, raw) in self.weekdays.iter().enumerate() {
            match weekday(raw) {
                Some(day) if !weekdays.contains(&day) => weekdays.push(day),
                Some(_) => {}
                None => checks.push(FieldError::new(
                    format!("weekdays[{i}]"),
                    "invalid",
                    "a day of the week: mon, tue, wed, thu, fri, sat or sun",
                )),
            }
        }
        if self.weekdays.is_empty() {
            checks.push(FieldError::new("weekdays", "required", "at least one day"));
        }
        let time = checks.take(
            NaiveTime::parse_from_str(self.time.trim(), "%H:%M")
                .map_err(|_| FieldError::new("time", "invalid", "a time of day as HH:MM")),
        );
        let zone = match &self.time_zone {
            Some(raw) => checks.take(time::zone("timeZone", raw)),
            None => Some(Tz::UTC),
        };
        let start = checks.take(
            NaiveDate::parse_from_str(self.start_date.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new("startDate", "invalid", "a date as YYYY-MM-DD")),
        );
        if !(1..=104).contains(&self.weeks) {
            checks.push(FieldError::new(
                "weeks",
                "out_of_range",
                "between 1 and 104",
            ));
        }
        let rule = checks.finish(|| {
            Some(Rule {
                weekdays: weekdays.clone(),
                time: time?,
                zone: zone?,
                start: start?,
                weeks: self.weeks,
            })
        })?;
        let count = rule.occurrences().len();
        if count > MAX_OCCURRENCES {
            return Err(ApiError::invalid_field(
                "weeks",
                "too_many_occurrences",
                format!("this rule makes {count} workouts; at most {MAX_OCCURRENCES}"),
            ));
        }
        if count == 0 {
            return Err(ApiError::invalid_field(
                "weekdays",
                "no_occurrences",
                "this rule makes no workout",
            ));
        }
        Ok(rule)
    }
}

/// Create a recurring schedule: one pending workout per occurrence.
///
/// Example: `{"name": "Strength", "weekdays": ["mon", "thu"], "time": "07:00", "timeZone":
/// "Europe/Paris", "startDate": "2026-11-23", "weeks": 8, "exercises": [{"exerciseId": 15,
/// "sets": [{"reps": 5, "weight": {"amount": "100", "unit": "kg"}}]}]}` makes 16 workouts.
#[utoipa::path(
    post,
    path = "/schedules",
    request_body = ScheduleRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The schedule and its workouts", body = ScheduleResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rule or workout, or more than 200 occurrences", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_schedule(
    State(Schedules {
        db,
        workouts: workout_service,
    }): State<Schedules>,
    user: AuthUser,
    Json(request): Json<ScheduleRequest>,
) -> Result<(StatusCode, Json<ScheduleResponse>), ApiError> {
    let rule = request.rule()?;
    let stored_rule = serde_json::to_string(&request).map_err(ApiError::internal)?;
    let first_local = rule
        .start
        .and_time(rule.time)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut template = WorkoutRequest::for_schedule(
        request.name,
        request.time_zone,
        request.notes,
        request.exercises,
        first_local,
    )
    .parse()?;
    workout_service.check_exercises(user.id, &template).await?;
    let txn = begin_write(&db).await?;
    let id = repo::insert(
        &txn,
        user.id,
        stored_rule,
        &mut template,
        &rule.occurrences(),
    )
    .await?;
    txn.commit().await?;
    let mut generated: Vec<WorkoutSummary> = repo::workouts_of(&db, user.id, id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    generated.sort_by_key(|w| (w.scheduled_at, w.id));
    Ok((
        StatusCode::CREATED,
        Json(ScheduleResponse {
            id,
            workouts: generated,
        }),
    ))
}

/// Delete a schedule and its pending workouts; completed and skipped ones stay (history).
///
/// Example: `DELETE /fitness/schedules/1` → 204.
#[utoipa::path(
    delete,
    path = "/schedules/{id}",
    params(("id" = i64, Path, description = "Schedule id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such schedule of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_schedule(
    State(Schedules { db, .. }): State<Schedules>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found("schedule"))?;
    let txn = begin_write(&db).await?;
    if !repo::delete(&txn, user.id, id).await? {
        return Err(ApiError::not_found("schedule"));
    }
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
