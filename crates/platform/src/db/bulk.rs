//! Bulk loading for the `seed` commands that fill a database for benchmarks: batched
//! multi-row inserts, seeded accounts, a deterministic random source, and refreshing the
//! planner's statistics afterwards.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbBackend, DbErr, EntityTrait};
use uuid::Uuid;

use crate::auth::entities::users;
use crate::auth::password::NewPassword;
use crate::auth::role;
use crate::{ApiError, Platform};

/// Rows per statement: under SQLite's 32 766 bound parameters for our widest tables.
pub const BATCH: usize = 500;

/// The password of every seeded account (`seed0@example.com`, `seed1@example.com`, ...).
pub const SEED_PASSWORD: &str = "seed password";

/// Inserts rows in statements of [`BATCH`] rows.
pub async fn insert_all<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        <A::Entity as EntityTrait>::insert_many(batch)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Refuses a seed that cannot work: no accounts asked for, or a system that has `existing`
/// rows already (seeds assume a freshly migrated database).
pub fn check_seed_target(users: usize, existing: u64, what: &str) -> Result<(), ApiError> {
    if users == 0 {
        return Err(ApiError::invalid_field(
            "users",
            "out_of_range",
            "seed at least one user",
        ));
    }
    if existing > 0 {
        return Err(ApiError::conflict(
            "not_empty",
            format!("there are {existing} {what} already; seed a freshly migrated database"),
        ));
    }
    Ok(())
}

/// Creates `count` accounts (`seed{n}@example.com`, name `seed{n}`, role `user`, password
/// [`SEED_PASSWORD`], hashed once) on the caller's connection; returns their ids in order.
/// Fails with a unique violation if the accounts exist already.
pub async fn seed_accounts(
    platform: &Platform,
    db: &impl ConnectionTrait,
    count: usize,
) -> Result<Vec<Uuid>, ApiError> {
    let password =
        NewPassword::parse("password", SEED_PASSWORD).map_err(|e| ApiError::internal(e.message))?;
    let hash = platform.auth().hash_password(&password).await?;
    let now = Utc::now();
    let ids: Vec<Uuid> = (0..count).map(|_| Uuid::now_v7()).collect();
    let rows = ids.iter().enumerate().map(|(n, id)| users::ActiveModel {
        id: Set(*id),
        email: Set(format!("seed{n}@example.com")),
        name: Set(Some(format!("seed{n}"))),
        password_hash: Set(hash.clone()),
        role: Set(role::USER.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    });
    insert_all(db, rows.collect()).await?;
    Ok(ids)
}

/// Refreshes the query planner's statistics after a bulk load (on PostgreSQL also the
/// visibility map, which index-only scans need). Without it, PostgreSQL plans for empty
/// tables until autovacuum gets round to them.
pub async fn analyze(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let statement = match db.get_database_backend() {
        DbBackend::Postgres => "VACUUM (ANALYZE)",
        _ => "ANALYZE",
    };
    db.execute_unprepared(statement).await.map(|_| ())
}

/// xorshift64*: small, fast, and the same data for the same seed.
pub struct SeedRandom(u64);

impl SeedRandom {
    /// A generator for this seed (0 is replaced by 1, which xorshift needs).
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_random_source_repeats_for_a_seed_and_stays_in_bounds() {
        let first: Vec<usize> = {
            let mut random = SeedRandom::new(7);
            (0..100).map(|_| random.below(10)).collect()
        };
        let mut again = SeedRandom::new(7);
        let second: Vec<usize> = (0..100).map(|_| again.below(10)).collect();
        assert_eq!(first, second);
        assert!(first.iter().all(|n| *n < 10));
        assert!(first.iter().any(|n| *n != first[0]), "not constant");
        assert_eq!(SeedRandom::new(1).below(0), 0);
    }
}
