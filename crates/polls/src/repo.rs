//! Every query on the poll tables.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use groundwork_platform::db::{begin_write, is_foreign_key_violation, is_unique_violation};
use groundwork_platform::pagination::Page;
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, DbErr, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use crate::domain::{NewPoll, Voter, is_open};
use crate::entities::{ballots, choices, options, polls, voter_tokens};

/// A poll with its options (in order) and its counts.
#[derive(Clone, Debug)]
pub struct PollRecord {
    /// The poll row.
    pub poll: polls::Model,
    /// Its options, in order.
    pub options: Vec<options::Model>,
    /// Votes per option id.
    pub votes: HashMap<Uuid, u64>,
    /// Ballots cast.
    pub voters: u64,
}

/// Why a vote was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    /// No such poll.
    #[error("no such poll")]
    NotFound,
    /// The poll no longer takes votes.
    #[error("the poll is closed")]
    Closed,
    /// This voter already has a ballot (casting, not changing).
    #[error("already voted")]
    AlreadyVoted,
    /// This voter has no ballot to change or withdraw.
    #[error("no vote to change")]
    NoBallot,
    /// A chosen option is not one of this poll's (the foreign key refused it).
    #[error("option not in poll")]
    OptionNotInPoll,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Inserts a poll and its options in one transaction.
pub async fn insert_poll(
    db: &DatabaseConnection,
    owner: Uuid,
    new: &NewPoll,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let tx = db.begin().await?;
    polls::ActiveModel {
        id: Set(id),
        owner_id: Set(owner),
        question: Set(new.question.clone()),
        multiple_choice: Set(new.multiple_choice),
        login_required: Set(new.login_required),
        closes_at: Set(new.closes_at),
        closed_at: Set(None),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    let rows = new
        .options
        .iter()
        .enumerate()
        .map(|(position, label)| options::ActiveModel {
            poll_id: Set(id),
            id: Set(Uuid::new_v4()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            label: Set(label.clone()),
        });
    options::Entity::insert_many(rows)
        .exec_without_returning(&tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A poll with its options and counts, if it exists.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<PollRecord>, DbErr> {
    let Some(poll) = polls::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    Ok(records(db, vec![poll]).await?.pop())
}

/// Attaches options and counts to polls, with three queries whatever their number.
async fn records(
    db: &impl ConnectionTrait,
    polls: Vec<polls::Model>,
) -> Result<Vec<PollRecord>, DbErr> {
    let ids: Vec<Uuid> = polls.iter().map(|p| p.id).collect();
    let mut options_by_poll: HashMap<Uuid, Vec<options::Model>> = HashMap::new();
    for option in options::Entity::find()
        .filter(options::Column::PollId.is_in(ids.clone()))
        .order_by_asc(options::Column::Position)
        .all(db)
        .await?
    {
        options_by_poll
            .entry(option.poll_id)
            .or_default()
            .push(option);
    }
    let mut votes: HashMap<Uuid, HashMap<Uuid, u64>> = HashMap::new();
    let counted: Vec<(Uuid, Uuid, i64)> = choices::Entity::find()
        .select_only()
        .column(choices::Column::PollId)
        .column(choices::Column::OptionId)
        .column_as(
            Expr::from(Func::count(Expr::col(choices::Column::OptionId))),
            "votes",
        )
        .filter(choices::Column::PollId.is_in(ids.clone()))
        .group_by(choices::Column::PollId)
        .group_by(choices::Column::OptionId)
        .into_tuple()
        .all(db)
        .await?;
    for (poll, option, count) in counted {
        votes
            .entry(poll)
            .or_default()
            .insert(option, u64::try_from(count).unwrap_or(0));
    }
    let voters: HashMap<Uuid, u64> = ballots::Entity::find()
        .select_only()
        .column(ballots::Column::PollId)
        .column_as(
            Expr::from(Func::count(Expr::col(ballots::Column::Voter))),
            "voters",
        )
        .filter(ballots::Column::PollId.is_in(ids))
        .group_by(ballots::Column::PollId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(poll, count)| (poll, u64::try_from(count).unwrap_or(0)))
        .collect();
    Ok(polls
        .into_iter()
        .map(|poll| PollRecord {
            options: options_by_poll.remove(&poll.id).unwrap_or_default(),
            votes: votes.remove(&poll.id).unwrap_or_default(),
            voters: voters.get(&poll.id).copied().unwrap_or(0),
            poll,
        })
        .collect())
}

/// One page of an owner's polls, newest first, and their total.
pub async fn list_owned(
    db: &impl ConnectionTrait,
    owner: Uuid,
    page: Page,
) -> Result<(Vec<PollRecord>, u64), DbErr> {
    let query = polls::Entity::find().filter(polls::Column::OwnerId.eq(owner));
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by(polls::Column::CreatedAt, Order::Desc)
        .order_by(polls::Column::Id, Order::Desc)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((records(db, rows).await?, total))
}

/// The options a voter's ballot names (empty: no ballot).
pub async fn choices_of(
    db: &impl ConnectionTrait,
    poll: Uuid,
    voter: &Voter,
) -> Result<Vec<Uuid>, DbErr> {
    choices::Entity::find()
        .select_only()
        .column(choices::Column::OptionId)
        .filter(choices::Column::PollId.eq(poll))
        .filter(choices::Column::Voter.eq(voter.key()))
        .into_tuple()
        .all(db)
        .await
}

/// Casts (`replace` false: the voter must not have voted) or replaces (`replace` true:
/// casts if there is no ballot yet) a ballot, in one transaction that first checks,
/// under a lock the closing update conflicts with, that the poll is open.
pub async fn vote(
    db: &DatabaseConnection,
    poll: Uuid,
    voter: &Voter,
    chosen: &[Uuid],
    replace: bool,
    now: DateTime<Utc>,
) -> Result<(), VoteError> {
    let tx = begin_write(db).await?;
    lock_open_poll(&tx, poll, now).await?;
    let key = voter.key();
    let ballot = ballots::ActiveModel {
        poll_id: Set(poll),
        voter: Set(key.clone()),
        cast_at: Set(now),
    };
    if replace {
        ballots::Entity::insert(ballot)
            .on_conflict(
                OnConflict::columns([ballots::Column::PollId, ballots::Column::Voter])
                    .update_column(ballots::Column::CastAt)
                    .to_owned(),
            )
            .exec_without_returning(&tx)
            .await?;
        choices::Entity::delete_many()
            .filter(choices::Column::PollId.eq(poll))
            .filter(choices::Column::Voter.eq(&key))
            .exec(&tx)
            .await?;
    } else {
        // The primary key (poll, voter) decides between concurrent first votes.
        ballots::Entity::insert(ballot)
            .exec_without_returning(&tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    VoteError::AlreadyVoted
                } else {
                    e.into()
                }
            })?;
    }
    let rows = chosen.iter().map(|option| choices::ActiveModel {
        poll_id: Set(poll),
        voter: Set(key.clone()),
        option_id: Set(*option),
    });
    choices::Entity::insert_many(rows)
        .exec_without_returning(&tx)
        .await
        .map_err(|e| {
            if is_foreign_key_violation(&e) {
                VoteError::OptionNotInPoll
            } else {
                e.into()
            }
        })?;
    tx.commit().await?;
    Ok(())
}

/// Removes a voter's ballot (and its choices, by cascade) while the poll is open.
pub async fn withdraw(
    db: &DatabaseConnection,
    poll: Uuid,
    voter: &Voter,
    now: DateTime<Utc>,
) -> Result<(), VoteError> {
    let tx = begin_write(db).await?;
    lock_open_poll(&tx, poll, now).await?;
    let deleted = ballots::Entity::delete_many()
        .filter(ballots::Column::PollId.eq(poll))
        .filter(ballots::Column::Voter.eq(voter.key()))
        .exec(&tx)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(VoteError::NoBallot);
    }
    tx.commit().await?;
    Ok(())
}

/// Reads the poll inside a write transaction; on PostgreSQL with `FOR SHARE`, so that a
/// concurrent close (an UPDATE of the row) waits for this vote or this vote for it.
/// SQLite's write transaction is already exclusive.
async fn lock_open_poll(
    tx: &sea_orm::DatabaseTransaction,
    poll: Uuid,
    now: DateTime<Utc>,
) -> Result<(), VoteError> {
    let mut query = polls::Entity::find_by_id(poll);
    if tx.get_database_backend() == DbBackend::Postgres {
        query = query.lock_shared();
    }
    let row = query.one(tx).await?.ok_or(VoteError::NotFound)?;
    if is_open(row.closes_at, row.closed_at, now) {
        Ok(())
    } else {
        Err(VoteError::Closed)
    }
}

/// Closes a poll now; `false` if it was already closed (by its owner or its time).
pub async fn close(
    db: &impl ConnectionTrait,
    poll: &polls::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    if !is_open(poll.closes_at, poll.closed_at, now) {
        return Ok(false);
    }
    let updated = polls::Entity::update_many()
        .col_expr(polls::Column::ClosedAt, Expr::value(now))
        .filter(polls::Column::Id.eq(poll.id))
        .filter(polls::Column::ClosedAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

/// Records an issued anonymous voter token (by hash).
pub async fn insert_voter_token(
    db: &impl ConnectionTrait,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    voter_tokens::ActiveModel {
        token_hash: Set(hash.to_owned()),
        issued_at: Set(now),
    }
    .insert(db)
    .await
    .map(drop)
}

/// Whether this server issued the token with this hash.
pub async fn voter_token_exists(db: &impl ConnectionTrait, hash: &str) -> Result<bool, DbErr> {
    Ok(voter_tokens::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await?
        .is_some())
}
