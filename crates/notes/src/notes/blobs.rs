//! Note texts in blob storage, each distinct text stored once.
//!
//! A text's row in `notes_blobs` is keyed by its SHA-256; the object it names has a key
//! of its own (`notes/<hash>/<uuid>.md`), fresh for every upload. That makes the two
//! races between storage and database harmless:
//!
//! - two uploads of one new text both write an object; one wins the row, the other
//!   deletes its own object;
//! - a text is released (its last note deleted) while a note of the same text is being
//!   saved: the release deletes the row only if no note points at it (the foreign key
//!   refuses otherwise), and the saver, finding the row gone (its insert fails on the
//!   key), writes a new object under a new key. An object is never shared between an
//!   old row and a new one, so deleting the old one cannot break the new note.
//!
//! A crash between the steps leaves at most an unreferenced object or row: harmless, but
//! nothing sweeps those up yet (see docs/systems/notes.md, "Not done yet").

use bytes::Bytes;
use chrono::Utc;
use groundwork_platform::db::is_foreign_key_violation;
use groundwork_platform::storage::{BlobStore, StorageError};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::entities::{blobs, notes};

/// Where stored texts live in blob storage.
pub const PREFIX: &str = "notes";

/// A failure of the database or of blob storage.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// Blob storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The row names an object that is not there (a bug or outside interference).
    #[error("the stored text of blob {0} is missing")]
    Missing(String),
}

/// Makes sure `hash`'s text is stored and has its row; returns once it does.
pub async fn ensure(
    db: &DatabaseConnection,
    store: &BlobStore,
    hash: &str,
    text: &str,
) -> Result<(), BlobError> {
    if blobs::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let key = format!("{PREFIX}/{hash}/{}.md", Uuid::now_v7().simple());
    store
        .put(&key, Bytes::copy_from_slice(text.as_bytes()))
        .await?;
    let row = blobs::ActiveModel {
        hash: Set(hash.to_owned()),
        object_key: Set(key.clone()),
        size_bytes: Set(i64::try_from(text.len()).unwrap_or(i64::MAX)),
        created_at: Set(Utc::now()),
    };
    let inserted = blobs::Entity::insert(row)
        .on_conflict(
            OnConflict::column(blobs::Column::Hash)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        // Another upload of the same text won; ours is a spare copy.
        store.delete(&key).await?;
    }
    Ok(())
}

/// The text stored for `hash`.
pub async fn read(
    db: &impl ConnectionTrait,
    store: &BlobStore,
    hash: &str,
) -> Result<String, BlobError> {
    let row = blobs::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| BlobError::Missing(hash.to_owned()))?;
    let bytes = store
        .get(&row.object_key)
        .await?
        .ok_or_else(|| BlobError::Missing(hash.to_owned()))?;
    // Only checked UTF-8 is ever stored; anything else was changed behind our back.
    String::from_utf8(bytes.to_vec()).map_err(|_| BlobError::Missing(hash.to_owned()))
}

/// Deletes `hash`'s row and object if no note points at it any more.
pub async fn release(
    db: &DatabaseConnection,
    store: &BlobStore,
    hash: &str,
) -> Result<bool, BlobError> {
    let Some(row) = blobs::Entity::find_by_id(hash.to_owned()).one(db).await? else {
        return Ok(false);
    };
    let still_used = Query::select()
        .expr(Expr::val(1))
        .from(notes::Entity)
        .and_where(notes::Column::BlobHash.eq(hash))
        .to_owned();
    let deleted = blobs::Entity::delete_many()
        .filter(blobs::Column::Hash.eq(hash))
        .filter(Expr::exists(still_used).not())
        .exec(db)
        .await;
    match deleted {
        Ok(result) if result.rows_affected == 1 => {
            store.delete(&row.object_key).await?;
            Ok(true)
        }
        Ok(_) => Ok(false),
        // A note of this text was saved in between: the blob stays.
        Err(error) if is_foreign_key_violation(&error) => Ok(false),
        Err(error) => Err(error.into()),
    }
}
