//! `groundwork blog seed`: a large, deterministic data set for benchmarks: users with
//! profiles and follows, articles with tags, comments and favorites.
//!
//! Rows go in with multi-row inserts inside a few large transactions; every seeded user
//! has the password [`SEED_PASSWORD`] (hashed once). Run it on a freshly migrated
//! database, with no other writer: article ids are assumed to be consecutive.

use std::time::Instant;

use chrono::{Duration, Utc};
use groundwork_platform::db::begin_write;
use groundwork_platform::db::bulk::{SeedRandom, seed_accounts};
use groundwork_platform::{ApiError, Platform};
use sea_orm::{ActiveValue::Set, TransactionTrait};

use crate::entities::{article_tags, articles, comments, favorites, follows, profiles, tags};
use crate::repo::bulk;

/// The password of every seeded user (`seed0@example.com`, `seed1@example.com`, ...).
pub use groundwork_platform::db::bulk::SEED_PASSWORD;
/// Distinct tags (`tag0` ... `tag199`).
pub const TAGS: usize = 200;
/// Every this-many-th article is left a draft.
pub const DRAFT_EVERY: usize = 20;
/// Accounts each seeded user follows.
pub const FOLLOWS_PER_USER: usize = 10;

/// How much to create.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Users (each with a profile).
    pub users: usize,
    /// Articles.
    pub articles: usize,
    /// Comments.
    pub comments: usize,
    /// Favorites (at most users × articles).
    pub favorites: usize,
}

impl Default for Sizes {
    /// The sizes of the benchmark.
    fn default() -> Self {
        Self {
            users: 10_000,
            articles: 100_000,
            comments: 500_000,
            favorites: 1_000_000,
        }
    }
}

fn progress(what: &str, count: usize, started: Instant) {
    tracing::info!(
        what,
        count,
        seconds = started.elapsed().as_secs_f64(),
        "seeded"
    );
}

/// Seeds the data set.
pub async fn run(platform: &Platform, sizes: Sizes, seed: u64) -> Result<(), ApiError> {
    let db = platform.db();
    if sizes.users == 0 || sizes.articles == 0 {
        return Err(ApiError::invalid_field(
            "users",
            "out_of_range",
            "seed at least one user and one article",
        ));
    }
    if bulk::max_article_id(db).await? > 0 || first_tag_id(platform).await.is_ok() {
        return Err(ApiError::conflict(
            "not_empty",
            "the blog already has data; seed a freshly migrated database",
        ));
    }
    let mut random = SeedRandom::new(seed);
    let now = Utc::now();
    let started = Instant::now();

    let txn = begin_write(db).await?;
    let user_ids = seed_accounts(platform, &txn, sizes.users).await?;
    let profile_rows = user_ids
        .iter()
        .enumerate()
        .map(|(n, id)| profiles::ActiveModel {
            user_id: Set(*id),
            username: Set(format!("seed{n}")),
            username_key: Set(format!("seed{n}")),
            bio: Set(Some(format!("Seeded writer number {n}."))),
            image: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
    bulk::insert_all(&txn, profile_rows.collect()).await?;
    let mut follow_rows = Vec::with_capacity(sizes.users * FOLLOWS_PER_USER);
    for (n, follower) in user_ids.iter().enumerate() {
        let mut followed = std::collections::HashSet::new();
        for k in 1..=FOLLOWS_PER_USER {
            let followee = (n + k * 7) % sizes.users;
            if followee != n && followed.insert(followee) {
                follow_rows.push(follows::ActiveModel {
                    follower_id: Set(*follower),
                    followee_id: Set(user_ids[followee]),
                    created_at: Set(now),
                });
            }
        }
    }
    bulk::insert_all(&txn, follow_rows).await?;
    let tag_rows = (0..TAGS).map(|n| tags::ActiveModel {
        name: Set(format!("tag{n}")),
        ..Default::default()
    });
    bulk::insert_all(&txn, tag_rows.collect()).await?;
    txn.commit().await?;
    progress("users, profiles, follows, tags", sizes.users, started);

    let first_article = bulk::max_article_id(db).await? + 1;
    let first_tag = first_tag_id(platform).await?;
    let txn = db.begin().await?;
    let mut article_rows = Vec::with_capacity(sizes.articles);
    let mut link_rows = Vec::with_capacity(sizes.articles * 2);
    for n in 0..sizes.articles {
        let author = user_ids[random.below(sizes.users)];
        let written = now - Duration::minutes((sizes.articles - n) as i64);
        // One in twenty is a draft, so that lists and counts have something to leave out.
        let published = (n % DRAFT_EVERY != DRAFT_EVERY - 1).then_some(written);
        article_rows.push(articles::ActiveModel {
            slug: Set(format!("seeded-article-{n}")),
            title: Set(format!("Seeded article {n}")),
            description: Set(format!("Summary of seeded article {n}")),
            body: Set(format!(
                "Body of seeded article {n}. {}",
                "Lorem ipsum dolor sit amet. ".repeat(8)
            )),
            category: Set(None),
            author_id: Set(author),
            published_at: Set(published),
            favorites_count: Set(0),
            created_at: Set(written),
            updated_at: Set(written),
            ..Default::default()
        });
        let article_id = first_article + n as i64;
        // Two different tags: the second is 1 to TAGS-1 places after the first.
        let first = random.below(TAGS);
        for tag in [first, (first + 1 + random.below(TAGS - 1)) % TAGS] {
            link_rows.push(article_tags::ActiveModel {
                article_id: Set(article_id),
                tag_id: Set(first_tag + tag as i64),
                published_at: Set(published),
            });
        }
    }
    bulk::insert_all(&txn, article_rows).await?;
    bulk::insert_all(&txn, link_rows).await?;
    txn.commit().await?;
    progress("articles", sizes.articles, started);

    let txn = db.begin().await?;
    let comment_rows = (0..sizes.comments).map(|n| {
        let created = now - Duration::seconds((sizes.comments - n) as i64);
        comments::ActiveModel {
            article_id: Set(first_article + random.below(sizes.articles) as i64),
            author_id: Set(user_ids[random.below(sizes.users)]),
            body: Set(format!("Seeded comment {n}")),
            created_at: Set(created),
            updated_at: Set(created),
            ..Default::default()
        }
    });
    bulk::insert_all(&txn, comment_rows.collect()).await?;
    txn.commit().await?;
    progress("comments", sizes.comments, started);

    // Each user favorites a run of distinct articles: user u takes articles
    // (u * step + k) mod N for k in 0..per_user, which never repeats for one user.
    let txn = db.begin().await?;
    let per_user = sizes
        .favorites
        .div_ceil(sizes.users.max(1))
        .min(sizes.articles);
    let mut favorite_rows = Vec::with_capacity(sizes.favorites);
    'users: for (u, user) in user_ids.iter().enumerate() {
        for k in 0..per_user {
            if favorite_rows.len() == sizes.favorites {
                break 'users;
            }
            let article = first_article + ((u * 7_919 + k) % sizes.articles) as i64;
            favorite_rows.push(favorites::ActiveModel {
                user_id: Set(*user),
                article_id: Set(article),
                created_at: Set(now),
            });
        }
    }
    let favorite_count = favorite_rows.len();
    bulk::insert_all(&txn, favorite_rows).await?;
    bulk::recount_favorites(&txn).await?;
    txn.commit().await?;
    progress("favorites", favorite_count, started);
    // Fresh statistics, or the query planner plans for empty tables.
    bulk::analyze(db).await?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "statistics refreshed"
    );
    Ok(())
}

async fn first_tag_id(platform: &Platform) -> Result<i64, ApiError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let tag = tags::Entity::find()
        .filter(tags::Column::Name.eq("tag0"))
        .one(platform.db())
        .await?
        .ok_or_else(|| ApiError::internal("seeded tags are missing"))?;
    Ok(tag.id)
}
