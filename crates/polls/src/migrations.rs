//! Schema of the poll tables. Frozen once released: change the schema by adding a
//! migration, never by editing one.
//!
//! One vote per voter is the primary key of `polls_ballots` (poll, voter); a choice can
//! only name an option of the same poll, by the composite foreign key of
//! `polls_choices` (poll, option) onto `polls_options` (poll, id).

use groundwork_platform::db::schema::timestamp;
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PollsPolls {
    Table,
    Id,
    OwnerId,
    Question,
    MultipleChoice,
    LoginRequired,
    ClosesAt,
    ClosedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PollsOptions {
    Table,
    PollId,
    Id,
    Position,
    Label,
}

#[derive(DeriveIden)]
enum PollsBallots {
    Table,
    PollId,
    Voter,
    CastAt,
}

#[derive(DeriveIden)]
enum PollsChoices {
    Table,
    PollId,
    Voter,
    OptionId,
}

#[derive(DeriveIden)]
enum PollsVoterTokens {
    Table,
    TokenHash,
    IssuedAt,
}

/// All poll migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreatePollTables)]
}

/// Polls, options, ballots, choices and anonymous voter tokens.
pub struct CreatePollTables;

impl MigrationName for CreatePollTables {
    fn name(&self) -> &str {
        "m20261121_000001_create_poll_tables"
    }
}

fn uuid(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).uuid().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreatePollTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PollsPolls::Table)
                    .col(uuid(PollsPolls::Id).primary_key())
                    .col(uuid(PollsPolls::OwnerId))
                    .col(ColumnDef::new(PollsPolls::Question).text().not_null())
                    .col(
                        ColumnDef::new(PollsPolls::MultipleChoice)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PollsPolls::LoginRequired)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PollsPolls::ClosesAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PollsPolls::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(timestamp(PollsPolls::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollsPolls::Table, PollsPolls::OwnerId)
                            .to(AuthUsers::Table, AuthUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "My polls", newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_polls_polls_owner_created")
                    .table(PollsPolls::Table)
                    .col(PollsPolls::OwnerId)
                    .col(PollsPolls::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollsOptions::Table)
                    .col(uuid(PollsOptions::PollId))
                    .col(uuid(PollsOptions::Id))
                    .col(ColumnDef::new(PollsOptions::Position).integer().not_null())
                    .col(ColumnDef::new(PollsOptions::Label).text().not_null())
                    .primary_key(
                        Index::create()
                            .col(PollsOptions::PollId)
                            .col(PollsOptions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollsOptions::Table, PollsOptions::PollId)
                            .to(PollsPolls::Table, PollsPolls::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollsBallots::Table)
                    .col(uuid(PollsBallots::PollId))
                    .col(ColumnDef::new(PollsBallots::Voter).string_len(80).not_null())
                    .col(timestamp(PollsBallots::CastAt))
                    // The rule "one vote per voter", kept by the database.
                    .primary_key(Index::create().col(PollsBallots::PollId).col(PollsBallots::Voter))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollsBallots::Table, PollsBallots::PollId)
                            .to(PollsPolls::Table, PollsPolls::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollsChoices::Table)
                    .col(uuid(PollsChoices::PollId))
                    .col(ColumnDef::new(PollsChoices::Voter).string_len(80).not_null())
                    .col(uuid(PollsChoices::OptionId))
                    .primary_key(
                        Index::create()
                            .col(PollsChoices::PollId)
                            .col(PollsChoices::Voter)
                            .col(PollsChoices::OptionId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollsChoices::Table, (PollsChoices::PollId, PollsChoices::Voter))
                            .to(PollsBallots::Table, (PollsBallots::PollId, PollsBallots::Voter))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A choice names an option of its own poll, never another poll's.
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollsChoices::Table, (PollsChoices::PollId, PollsChoices::OptionId))
                            .to(PollsOptions::Table, (PollsOptions::PollId, PollsOptions::Id))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Tallies count choices by option.
        manager
            .create_index(
                Index::create()
                    .name("idx_polls_choices_poll_option")
                    .table(PollsChoices::Table)
                    .col(PollsChoices::PollId)
                    .col(PollsChoices::OptionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollsVoterTokens::Table)
                    .col(
                        ColumnDef::new(PollsVoterTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(timestamp(PollsVoterTokens::IssuedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PollsChoices::Table.into_iden(),
            PollsBallots::Table.into_iden(),
            PollsOptions::Table.into_iden(),
            PollsPolls::Table.into_iden(),
            PollsVoterTokens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
