//! `groundwork expenses seed`: accounts (`seed0@example.com` ... with the password
//! [`SEED_PASSWORD`]) and their expenses over the past year, for benchmarks. Run it on a
//! freshly migrated database.

use chrono::{Days, Utc};
use groundwork_platform::db::begin_write;
use groundwork_platform::db::bulk::{
    SeedRandom, analyze, check_seed_target, insert_all, seed_accounts,
};
use groundwork_platform::{ApiError, Platform};
use sea_orm::ActiveValue::Set;
use sea_orm::{EntityTrait, PaginatorTrait};
use uuid::Uuid;

pub use groundwork_platform::db::bulk::SEED_PASSWORD;

use crate::category::CATEGORIES;
use crate::entities::items;

/// Seeds `users` accounts with `total` expenses between them (round robin), in USD, on
/// random days of the past year.
pub async fn run(
    platform: &Platform,
    users: usize,
    total: usize,
    seed: u64,
) -> Result<(), ApiError> {
    let db = platform.db();
    check_seed_target(users, items::Entity::find().count(db).await?, "expenses")?;
    let mut random = SeedRandom::new(seed);
    let now = Utc::now();
    let today = now.date_naive();
    let txn = begin_write(db).await?;
    let owners = seed_accounts(platform, &txn, users).await?;
    let rows = (0..total).map(|n| items::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owners[n % users]),
        amount_minor: Set(100 + random.below(20_000) as i64),
        currency: Set("USD".to_owned()),
        category: Set(CATEGORIES[random.below(CATEGORIES.len())].to_owned()),
        description: Set(format!("Seeded expense {n}")),
        spent_on: Set(today
            .checked_sub_days(Days::new(random.below(365) as u64))
            .unwrap_or(today)),
        created_at: Set(now),
        updated_at: Set(now),
    });
    insert_all(&txn, rows.collect()).await?;
    txn.commit().await?;
    analyze(db).await?;
    Ok(())
}
