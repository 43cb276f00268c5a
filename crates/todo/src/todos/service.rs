//! What the handlers ask for, in domain terms: create, list, read, change and delete one
//! account's items.

use chrono::{NaiveDate, SubsecRound, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::auth::repo::lock_user;
use groundwork_platform::db::begin_write;
use groundwork_platform::pagination::{Page, Paginated};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{TodoResponse, repo};
use crate::TodoSettings;
use crate::domain::{Priority, Status};
use crate::error::{forbidden, not_found};

/// A checked new item.
#[derive(Clone, Debug)]
pub struct NewItem {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Status.
    pub status: Status,
    /// Priority.
    pub priority: Priority,
    /// Due date.
    pub due_date: Option<NaiveDate>,
}

/// Checked changes; `None` leaves a field alone, `due_date: Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct ItemChanges {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New status.
    pub status: Option<Status>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New due date, or none.
    pub due_date: Option<Option<NaiveDate>>,
}

/// The order of a list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// By creation (the default, oldest first as the spec's example).
    #[default]
    CreatedAt,
    /// By due date; items without one come last in either direction.
    Due,
    /// By priority.
    Priority,
}

/// A checked list filter.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    /// Only these statuses (any, when empty).
    pub statuses: Vec<Status>,
    /// Text that the title or description must contain (case-insensitive).
    pub text: Option<String>,
    /// Due on or before this date.
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date.
    pub due_after: Option<NaiveDate>,
    /// Order.
    pub sort: SortKey,
    /// Largest first.
    pub descending: bool,
}

/// The to-do service: a database pool and the settings.
#[derive(Clone)]
pub struct TodoService {
    db: DatabaseConnection,
    settings: TodoSettings,
}

/// Times are kept to the microsecond, what PostgreSQL stores, so that an item reads back
/// exactly as it was returned.
fn now() -> chrono::DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl TodoService {
    /// A service over this pool.
    pub fn new(db: DatabaseConnection, settings: TodoSettings) -> Self {
        Self { db, settings }
    }

    /// Creates an item. 409 `too_many_items` at the per-account cap. The account's row is
    /// locked while counting, so concurrent creates cannot overshoot the cap.
    pub async fn create(&self, owner: Uuid, item: NewItem) -> Result<TodoResponse, ApiError> {
        let txn = begin_write(&self.db).await?;
        if lock_user(&txn, owner).await?.is_none() {
            return Err(ApiError::unauthorized("account_not_found", "Unauthorized"));
        }
        let held = repo::count_owned(&txn, owner).await?;
        if held >= self.settings.max_items_per_user {
            return Err(ApiError::conflict(
                "too_many_items",
                format!(
                    "an account holds at most {} items; delete some first",
                    self.settings.max_items_per_user
                ),
            ));
        }
        let row = repo::insert(&txn, owner, item, now()).await?;
        txn.commit().await?;
        Ok(row.into())
    }

    /// One page of the caller's items.
    pub async fn list(
        &self,
        owner: Uuid,
        filter: &ItemFilter,
        page: Page,
    ) -> Result<Paginated<TodoResponse>, ApiError> {
        let (rows, total) = repo::page(&self.db, owner, filter, page).await?;
        Ok(Paginated::new(
            rows.into_iter().map(Into::into).collect(),
            page,
            total,
        ))
    }

    /// One of the caller's items.
    pub async fn get(&self, owner: Uuid, id: i64) -> Result<TodoResponse, ApiError> {
        match repo::find_owned(&self.db, owner, id).await? {
            Some(row) => Ok(row.into()),
            None => Err(self.missing(id).await),
        }
    }

    /// Changes one of the caller's items.
    pub async fn update(
        &self,
        owner: Uuid,
        id: i64,
        changes: ItemChanges,
    ) -> Result<TodoResponse, ApiError> {
        match repo::update_owned(&self.db, owner, id, changes, now()).await? {
            Some(row) => Ok(row.into()),
            None => Err(self.missing(id).await),
        }
    }

    /// Deletes one of the caller's items.
    pub async fn delete(&self, owner: Uuid, id: i64) -> Result<(), ApiError> {
        if repo::delete_owned(&self.db, owner, id).await? {
            Ok(())
        } else {
            Err(self.missing(id).await)
        }
    }

    /// Why the caller's lookup found nothing: the item is someone else's (403, as the
    /// spec says) or does not exist (404).
    async fn missing(&self, id: i64) -> ApiError {
        match repo::exists(&self.db, id).await {
            Ok(true) => forbidden(),
            Ok(false) => not_found(),
            Err(error) => error.into(),
        }
    }
}
