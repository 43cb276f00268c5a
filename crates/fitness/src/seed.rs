//! `groundwork fitness seed`: one account (`seed0@example.com`, password
//! [`SEED_PASSWORD`]) with years of training history, for the report benchmark: six
//! workouts a week, three exercises each, four or five sets per exercise. Run it on a
//! freshly migrated database.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use groundwork_platform::db::begin_write;
use groundwork_platform::db::bulk::{SeedRandom, analyze, check_seed_target, seed_accounts};
use groundwork_platform::{ApiError, Platform};
use sea_orm::{EntityTrait, PaginatorTrait};

pub use groundwork_platform::db::bulk::SEED_PASSWORD;

use crate::entities::{exercises, workouts};
use crate::quantity::WeightUnit;
use crate::workouts::{NewSet, NewWorkout, NewWorkoutExercise, Status};

/// What the seed made.
#[derive(Debug, Default)]
pub struct Seeded {
    /// Workouts.
    pub workouts: usize,
    /// Sets.
    pub sets: usize,
}

/// Seeds `years` of history ending today for one account, in Europe/Paris.
pub async fn run(platform: &Platform, years: u32, seed: u64) -> Result<Seeded, ApiError> {
    let db = platform.db();
    check_seed_target(1, workouts::Entity::find().count(db).await?, "workouts")?;
    let strength: Vec<i64> = exercises::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|e| e.owner_id.is_none() && e.category == "strength")
        .map(|e| e.id)
        .collect();
    if strength.is_empty() {
        return Err(ApiError::internal("the exercise catalogue is missing"));
    }
    let mut random = SeedRandom::new(seed);
    let zone: Tz = chrono_tz::Europe::Paris;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let first = today - Duration::days(i64::from(years) * 365);
    let txn = begin_write(db).await?;
    let owner = seed_accounts(platform, &txn, 1).await?[0];
    let mut seeded = Seeded::default();
    let mut day: NaiveDate = first;
    while day <= today {
        // Six days a week: every day but Sunday.
        if day.format("%u").to_string() != "7" {
            let workout = generated(&mut random, &strength, zone, day);
            seeded.sets += workout
                .exercises
                .iter()
                .map(|e| e.sets.len())
                .sum::<usize>();
            crate::workouts::repo::insert(&txn, owner, &workout, None).await?;
            seeded.workouts += 1;
        }
        day += Duration::days(1);
    }
    txn.commit().await?;
    analyze(db).await?;
    Ok(seeded)
}

fn generated(random: &mut SeedRandom, strength: &[i64], zone: Tz, day: NaiveDate) -> NewWorkout {
    let hour = 6 + random.below(14) as u32;
    let local = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    let scheduled_at = zone
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc());
    let status = match random.below(20) {
        0 | 1 => Status::Skipped,
        2 => Status::Pending,
        _ => Status::Completed,
    };
    let exercises = (0..3)
        .map(|_| {
            let sets = (0..4 + random.below(2))
                .map(|_| {
                    let kg = 20 + random.below(120) as i64;
                    let reps = 3 + random.below(10) as i32;
                    NewSet {
                        reps: Some(reps),
                        weight: Some((kg * 1000, WeightUnit::Kg)),
                        actual_reps: (random.below(4) == 0).then_some(reps - 1),
                        ..NewSet::default()
                    }
                })
                .collect();
            NewWorkoutExercise {
                exercise_id: strength[random.below(strength.len())],
                notes: String::new(),
                sets,
            }
        })
        .collect();
    NewWorkout {
        name: format!("Session of {day}"),
        scheduled_at,
        zone,
        status,
        notes: String::new(),
        exercises,
    }
}
