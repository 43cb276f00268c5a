//! The report queries: the database aggregates the sets (tens of thousands for a few
//! years of training) into a handful of rows per exercise and week.
//!
//! Volume is repetitions × weight in kilograms, per set of a completed workout, with what
//! was done (`actual_*`) where recorded and what was planned otherwise; pounds are
//! converted at 0.45359237 kg. Weeks start on Monday of the workout's local date.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use uuid::Uuid;

/// Repetitions of a set: done, else planned.
const REPS: &str = "COALESCE(s.actual_reps, s.reps)";

/// Weight of a set in kg: done (in its unit), else planned (in its unit).
const KG: &str = "(CASE WHEN s.actual_weight_milli IS NOT NULL \
     THEN s.actual_weight_milli * (CASE s.actual_weight_unit WHEN 'lb' THEN 0.45359237 ELSE 1.0 END) \
     ELSE s.weight_milli * (CASE s.weight_unit WHEN 'lb' THEN 0.45359237 ELSE 1.0 END) END) / 1000.0";

/// The sets of the owner's completed workouts on local dates `$2`..`$3`.
const COMPLETED_SETS: &str = "FROM fitness_sets s \
     JOIN fitness_workout_exercises we ON we.id = s.workout_exercise_id \
     JOIN fitness_workouts w ON w.id = we.workout_id \
     JOIN fitness_exercises e ON e.id = we.exercise_id \
     WHERE w.owner_id = $1 AND w.status = 'completed' \
     AND w.local_date >= $2 AND w.local_date <= $3";

/// Monday of the week of `w.local_date`, as `YYYY-MM-DD` text.
fn week_start(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "to_char(date_trunc('week', w.local_date), 'YYYY-MM-DD')",
        _ => {
            "date(w.local_date, '-' || ((CAST(strftime('%w', w.local_date) AS INTEGER) + 6) % 7) || ' days')"
        }
    }
}

/// `$n` placeholders as each backend writes them (SQLite: `?`, in order of appearance).
fn statement(
    backend: DbBackend,
    sql: &str,
    owner: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace("$1", "?").replace("$2", "?").replace("$3", "?"),
    };
    let values: Vec<Value> = vec![owner.into(), from.into(), to.into()];
    Statement::from_sql_and_values(backend, sql, values)
}

/// Workouts per status on local dates `from`..=`to`.
#[derive(Debug, FromQueryResult)]
pub struct StatusCount {
    /// pending, completed or skipped.
    pub status: String,
    /// How many.
    pub count: i64,
}

/// Counts the owner's workouts per status.
pub async fn status_counts(
    db: &impl ConnectionTrait,
    owner: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StatusCount>, DbErr> {
    let sql = "SELECT w.status AS status, CAST(COUNT(*) AS BIGINT) AS count \
               FROM fitness_workouts w \
               WHERE w.owner_id = $1 AND w.local_date >= $2 AND w.local_date <= $3 \
               GROUP BY w.status";
    let backend = db.get_database_backend();
    StatusCount::find_by_statement(statement(backend, sql, owner, from, to))
        .all(db)
        .await
}

/// Volume of one exercise in one week.
#[derive(Debug, FromQueryResult)]
pub struct WeeklyVolume {
    /// The exercise.
    pub exercise_id: i64,
    /// Its name.
    pub name: String,
    /// Its muscle group.
    pub muscle_group: String,
    /// Monday of the week, `YYYY-MM-DD`.
    pub week: String,
    /// Sum of reps × kg.
    pub volume: f64,
}

/// Volume per exercise and week.
pub async fn weekly_volume(
    db: &impl ConnectionTrait,
    owner: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<WeeklyVolume>, DbErr> {
    let backend = db.get_database_backend();
    let week = week_start(backend);
    let sql = format!(
        "SELECT we.exercise_id AS exercise_id, e.name AS name, e.muscle_group AS muscle_group, \
         {week} AS week, CAST(SUM({REPS} * {KG}) AS DOUBLE PRECISION) AS volume \
         {COMPLETED_SETS} AND {REPS} IS NOT NULL AND ({KG}) IS NOT NULL \
         GROUP BY we.exercise_id, e.name, e.muscle_group, {week} \
         ORDER BY week, e.name"
    );
    WeeklyVolume::find_by_statement(statement(backend, &sql, owner, from, to))
        .all(db)
        .await
}

/// The heaviest set of one exercise.
#[derive(Debug, FromQueryResult)]
pub struct PersonalRecord {
    /// The exercise.
    pub exercise_id: i64,
    /// Its name.
    pub name: String,
    /// The weight, kg.
    pub kg: f64,
    /// Repetitions at that weight (the most, if several sets tie).
    pub reps: i32,
    /// The local date of the first time it was lifted.
    pub local_date: NaiveDate,
}

/// Per exercise, the heaviest set done (the most reps breaking ties, then the earliest).
pub async fn personal_records(
    db: &impl ConnectionTrait,
    owner: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PersonalRecord>, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT exercise_id, name, kg, reps, local_date FROM ( \
           SELECT we.exercise_id AS exercise_id, e.name AS name, \
             CAST({KG} AS DOUBLE PRECISION) AS kg, {REPS} AS reps, w.local_date AS local_date, \
             ROW_NUMBER() OVER (PARTITION BY we.exercise_id \
               ORDER BY {KG} DESC, {REPS} DESC, w.local_date ASC) AS place \
           {COMPLETED_SETS} AND {REPS} >= 1 AND ({KG}) IS NOT NULL \
         ) ranked WHERE place = 1 ORDER BY name"
    );
    PersonalRecord::find_by_statement(statement(backend, &sql, owner, from, to))
        .all(db)
        .await
}
