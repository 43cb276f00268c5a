//! `groundwork todo seed`: accounts (`seed0@example.com` ... with the password
//! [`SEED_PASSWORD`]) and their to-do items, for benchmarks. Run it on a freshly
//! migrated database.

use chrono::{Duration, Utc};
use groundwork_platform::db::begin_write;
use groundwork_platform::db::bulk::{
    SeedRandom, analyze, check_seed_target, insert_all, seed_accounts,
};
use groundwork_platform::{ApiError, Platform};
use sea_orm::ActiveValue::Set;
use sea_orm::{EntityTrait, PaginatorTrait};

pub use groundwork_platform::db::bulk::SEED_PASSWORD;

use crate::domain::{Priority, Status};
use crate::entities::items;

/// Seeds `users` accounts holding `items` items between them (spread evenly, round
/// robin), with a mix of statuses, priorities and due dates.
pub async fn run(
    platform: &Platform,
    users: usize,
    total: usize,
    seed: u64,
) -> Result<(), ApiError> {
    let db = platform.db();
    check_seed_target(users, items::Entity::find().count(db).await?, "to-do items")?;
    let mut random = SeedRandom::new(seed);
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let owners = seed_accounts(platform, &txn, users).await?;
    let rows = (0..total).map(|n| {
        let created = now - Duration::seconds((total - n) as i64);
        let status = Status::ALL[random.below(Status::ALL.len())];
        let priority = Priority::from_rank(1 + random.below(3) as i32);
        let due_date = (random.below(2) == 0)
            .then(|| (now + Duration::days(random.below(60) as i64 - 10)).date_naive());
        items::ActiveModel {
            owner_id: Set(owners[n % users]),
            title: Set(format!("Seeded item {n}")),
            description: Set(format!(
                "Description of seeded item {n}: buy milk, eggs and bread"
            )),
            status: Set(status.as_str().to_owned()),
            priority: Set(priority.rank()),
            due_date: Set(due_date),
            created_at: Set(created),
            updated_at: Set(created),
            ..Default::default()
        }
    });
    insert_all(&txn, rows.collect()).await?;
    txn.commit().await?;
    analyze(db).await?;
    Ok(())
}
