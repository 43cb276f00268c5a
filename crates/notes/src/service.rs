//! [`NotesService`]: what the handlers share (database, blob storage, limits, the grammar
//! checker), and the operations that touch more than one table or store.

use std::collections::HashSet;

use chrono::Utc;
use groundwork_platform::ApiError;
use groundwork_platform::db::{begin_write, is_foreign_key_violation};
use groundwork_platform::storage::BlobStore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use uuid::Uuid;

use crate::entities::{dictionary, notes};
use crate::grammar::{EnglishDialect, Format, GrammarChecker};
use crate::notes::blobs::{self, BlobError};
use crate::notes::domain::NoteText;
use crate::notes::{repo, search};
use crate::settings::NotesSettings;

/// Shared by every notes handler; cheap to clone.
#[derive(Clone)]
pub struct NotesService {
    /// The database.
    pub db: DatabaseConnection,
    /// Where texts are stored.
    pub store: BlobStore,
    /// Limits.
    pub settings: NotesSettings,
    /// The grammar checker's threads.
    pub grammar: GrammarChecker,
}

/// A note to save: its text, title and the name of the file it came from.
pub struct NewNote {
    /// The checked text.
    pub text: NoteText,
    /// The title.
    pub title: String,
    /// The uploaded file's name.
    pub file_name: Option<String>,
}

/// How often saving retries when the text's blob was released under it.
const SAVE_ATTEMPTS: usize = 3;

impl NotesService {
    /// A service over the platform's database and blob store.
    pub fn new(db: DatabaseConnection, store: BlobStore, settings: NotesSettings) -> Self {
        let grammar =
            GrammarChecker::new(settings.grammar_concurrency, settings.grammar_cache_bytes);
        Self {
            db,
            store,
            settings,
            grammar,
        }
    }

    /// Saves new notes for `owner`, all or none (an upload of several files).
    pub async fn create(
        &self,
        owner: Uuid,
        new_notes: Vec<NewNote>,
    ) -> Result<Vec<notes::Model>, ApiError> {
        for note in &new_notes {
            blobs::ensure(&self.db, &self.store, &note.text.hash, &note.text.markdown)
                .await
                .map_err(storage_error)?;
        }
        for attempt in 1..=SAVE_ATTEMPTS {
            match self.insert_all(owner, &new_notes).await {
                Err(InsertError::Db(error))
                    if is_foreign_key_violation(&error) && attempt < SAVE_ATTEMPTS =>
                {
                    // A blob was released between `ensure` and the insert: store again.
                    for note in &new_notes {
                        blobs::ensure(&self.db, &self.store, &note.text.hash, &note.text.markdown)
                            .await
                            .map_err(storage_error)?;
                    }
                }
                Err(InsertError::Db(error)) => return Err(ApiError::internal(error)),
                Err(InsertError::Api(error)) => return Err(error),
                Ok(rows) => {
                    for note in &new_notes {
                        self.check_ahead(owner, &note.text.markdown);
                    }
                    return Ok(rows);
                }
            }
        }
        Err(ApiError::internal(
            "the note's text kept disappearing while saving",
        ))
    }

    /// Has a saved note's grammar checked in the checker's spare time (`grammar_on_save`),
    /// so that `GET /notes/{id}/grammar` later answers from the cache.
    fn check_ahead(&self, owner: Uuid, markdown: &str) {
        let settings = &self.settings;
        if settings.grammar_on_save && markdown.len() <= settings.max_grammar_bytes {
            self.grammar.check_ahead(
                owner,
                markdown.to_owned(),
                Format::Markdown,
                EnglishDialect::default(),
            );
        }
    }

    async fn insert_all(
        &self,
        owner: Uuid,
        new_notes: &[NewNote],
    ) -> Result<Vec<notes::Model>, InsertError> {
        let txn = begin_write(&self.db).await?;
        let held = repo::count(&txn, owner).await?;
        let wanted = held + new_notes.len() as u64;
        if wanted > self.settings.max_notes_per_user {
            return Err(InsertError::Api(ApiError::conflict(
                "too_many_notes",
                format!(
                    "an account may hold {} notes; this one holds {held}",
                    self.settings.max_notes_per_user
                ),
            )));
        }
        let mut rows = Vec::with_capacity(new_notes.len());
        for note in new_notes {
            let now = Utc::now();
            let rowid = search::next_rowid(&txn).await?;
            let row = notes::ActiveModel {
                id: Set(Uuid::now_v7()),
                owner_id: Set(owner),
                title: Set(note.title.clone()),
                file_name: Set(note.file_name.clone()),
                blob_hash: Set(note.text.hash.clone()),
                size_bytes: Set(i64::try_from(note.text.markdown.len()).unwrap_or(i64::MAX)),
                word_count: Set(i64::try_from(note.text.analysis.word_count).unwrap_or(i64::MAX)),
                search_rowid: Set(rowid),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            search::index(
                &txn,
                row.id,
                rowid,
                &row.title,
                &note.text.analysis.plain_text,
            )
            .await?;
            rows.push(row);
        }
        txn.commit().await?;
        Ok(rows)
    }

    /// Changes a note's title and/or text; `None` if `owner` has no such note.
    pub async fn update(
        &self,
        owner: Uuid,
        id: Uuid,
        title: Option<String>,
        text: Option<NoteText>,
    ) -> Result<Option<notes::Model>, ApiError> {
        if let Some(text) = &text {
            blobs::ensure(&self.db, &self.store, &text.hash, &text.markdown)
                .await
                .map_err(storage_error)?;
        }
        let txn = begin_write(&self.db).await.map_err(ApiError::internal)?;
        let Some(current) = repo::find(&txn, owner, id)
            .await
            .map_err(ApiError::internal)?
        else {
            return Ok(None);
        };
        let old_hash = current.blob_hash.clone();
        let body = match &text {
            Some(text) => text.analysis.plain_text.clone(),
            None => {
                let markdown = blobs::read(&txn, &self.store, &old_hash)
                    .await
                    .map_err(storage_error)?;
                crate::markdown::analyze(&markdown).plain_text
            }
        };
        let mut row = current.into_active_model();
        if let Some(title) = title {
            row.title = Set(title);
        }
        if let Some(text) = &text {
            row.blob_hash = Set(text.hash.clone());
            row.size_bytes = Set(i64::try_from(text.markdown.len()).unwrap_or(i64::MAX));
            row.word_count = Set(i64::try_from(text.analysis.word_count).unwrap_or(i64::MAX));
        }
        row.updated_at = Set(Utc::now());
        let row = row.update(&txn).await.map_err(|error| {
            if is_foreign_key_violation(&error) {
                ApiError::conflict(
                    "concurrent_change",
                    "the note changed while saving; try again",
                )
            } else {
                ApiError::internal(error)
            }
        })?;
        search::index(&txn, row.id, row.search_rowid, &row.title, &body)
            .await
            .map_err(ApiError::internal)?;
        txn.commit().await.map_err(ApiError::internal)?;
        if let Some(text) = &text {
            self.check_ahead(owner, &text.markdown);
        }
        if row.blob_hash != old_hash {
            self.release(&old_hash).await;
        }
        Ok(Some(row))
    }

    /// Deletes a note; `false` if `owner` has no such note.
    pub async fn delete(&self, owner: Uuid, id: Uuid) -> Result<bool, ApiError> {
        let txn = begin_write(&self.db).await.map_err(ApiError::internal)?;
        let Some(row) = repo::find(&txn, owner, id)
            .await
            .map_err(ApiError::internal)?
        else {
            return Ok(false);
        };
        notes::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await
            .map_err(ApiError::internal)?;
        search::unindex(&txn, row.search_rowid)
            .await
            .map_err(ApiError::internal)?;
        txn.commit().await.map_err(ApiError::internal)?;
        self.release(&row.blob_hash).await;
        Ok(true)
    }

    /// A note's markdown.
    pub async fn markdown(&self, note: &notes::Model) -> Result<String, ApiError> {
        blobs::read(&self.db, &self.store, &note.blob_hash)
            .await
            .map_err(storage_error)
    }

    /// The words `user` accepts as spelled right, lowercased.
    pub async fn accepted_words(&self, user: Uuid) -> Result<HashSet<String>, ApiError> {
        let rows = dictionary::Entity::find()
            .filter(dictionary::Column::UserId.eq(user))
            .all(&self.db)
            .await
            .map_err(ApiError::internal)?;
        Ok(rows.into_iter().map(|row| row.word).collect())
    }

    /// Frees a text no note uses any more. Failures are only logged: the note change
    /// already succeeded, and a text left behind is unreferenced, not wrong.
    async fn release(&self, hash: &str) {
        if let Err(error) = blobs::release(&self.db, &self.store, hash).await {
            tracing::warn!(%error, hash, "could not release a note text; it stays stored");
        }
    }
}

enum InsertError {
    Db(sea_orm::DbErr),
    Api(ApiError),
}

impl From<sea_orm::DbErr> for InsertError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Db(error)
    }
}

/// Blob storage down is a 503 (retry later), not a bug; the cause is logged here.
fn storage_error(error: BlobError) -> ApiError {
    match error {
        BlobError::Storage(error) => {
            tracing::error!(%error, "blob storage failed");
            ApiError::unavailable("note storage is unavailable; try again shortly", 5)
        }
        other => ApiError::internal(other),
    }
}
