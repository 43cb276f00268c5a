//! Schema of the notes tables. Frozen once released: change the schema by adding a
//! migration, never by editing one.
//!
//! Markdown text lives in blob storage, not here: `notes_blobs` maps a content hash to the
//! object holding that text (identical text is stored once), `notes_notes` holds each
//! note's metadata and points at its blob. The full-text index is per backend: an FTS5
//! table on SQLite (contentless: it keeps the index, not a second copy of the text), a
//! `tsvector` column with a GIN index on PostgreSQL.

use groundwork_platform::db::schema::{timestamp, to_user};
use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum NotesBlobs {
    Table,
    Hash,
    ObjectKey,
    SizeBytes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotesNotes {
    Table,
    Id,
    OwnerId,
    Title,
    FileName,
    BlobHash,
    SizeBytes,
    WordCount,
    SearchRowid,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotesDictionary {
    Table,
    UserId,
    Word,
    CreatedAt,
}

/// All notes migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreateNotesTables)]
}

/// Blobs, notes, the search index and the per-user dictionary.
pub struct CreateNotesTables;

impl MigrationName for CreateNotesTables {
    fn name(&self) -> &str {
        "m20261121_000001_create_notes_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateNotesTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NotesBlobs::Table)
                    .col(
                        ColumnDef::new(NotesBlobs::Hash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(NotesBlobs::ObjectKey).text().not_null())
                    .col(
                        ColumnDef::new(NotesBlobs::SizeBytes)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(NotesBlobs::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotesNotes::Table)
                    .col(ColumnDef::new(NotesNotes::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(NotesNotes::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(NotesNotes::Title).text().not_null())
                    .col(ColumnDef::new(NotesNotes::FileName).text().null())
                    .col(ColumnDef::new(NotesNotes::BlobHash).string_len(64).not_null())
                    .col(ColumnDef::new(NotesNotes::SizeBytes).big_integer().not_null())
                    .col(ColumnDef::new(NotesNotes::WordCount).big_integer().not_null())
                    // The row of this note in the SQLite FTS5 index (unused on PostgreSQL).
                    .col(ColumnDef::new(NotesNotes::SearchRowid).big_integer().null())
                    .col(timestamp(NotesNotes::CreatedAt))
                    .col(timestamp(NotesNotes::UpdatedAt))
                    .foreign_key(&mut to_user(NotesNotes::Table, NotesNotes::OwnerId))
                    // A blob is only deleted once no note points at it; the key refuses
                    // the delete that would race with a new note of the same text.
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotesNotes::Table, NotesNotes::BlobHash)
                            .to(NotesBlobs::Table, NotesBlobs::Hash)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // Lists are one owner's notes, most recently changed first.
        manager
            .create_index(
                Index::create()
                    .name("idx_notes_notes_owner_updated")
                    .table(NotesNotes::Table)
                    .col(NotesNotes::OwnerId)
                    .col(NotesNotes::UpdatedAt)
                    .col(NotesNotes::Id)
                    .to_owned(),
            )
            .await?;
        // Deleting a blob asks whether any note still points at it.
        manager
            .create_index(
                Index::create()
                    .name("idx_notes_notes_blob")
                    .table(NotesNotes::Table)
                    .col(NotesNotes::BlobHash)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notes_notes_search_rowid")
                    .table(NotesNotes::Table)
                    .col(NotesNotes::SearchRowid)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotesDictionary::Table)
                    .col(ColumnDef::new(NotesDictionary::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(NotesDictionary::Word)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(timestamp(NotesDictionary::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(NotesDictionary::UserId)
                            .col(NotesDictionary::Word),
                    )
                    .foreign_key(&mut to_user(
                        NotesDictionary::Table,
                        NotesDictionary::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                connection
                    .execute_unprepared(
                        "ALTER TABLE notes_notes ADD COLUMN search tsvector; \
                         CREATE INDEX idx_notes_notes_search ON notes_notes USING GIN (search)",
                    )
                    .await?;
            }
            _ => {
                // Porter stemming over Unicode words, accents folded: "Cafés" finds "cafe".
                connection
                    .execute_unprepared(
                        "CREATE VIRTUAL TABLE notes_search USING fts5(title, body, content='', \
                         contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')",
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS notes_search")
                .await?;
        }
        for table in [
            NotesDictionary::Table.into_iden(),
            NotesNotes::Table.into_iden(),
            NotesBlobs::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
