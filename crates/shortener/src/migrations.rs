//! Schema of the shortener tables. Frozen once released: change the schema by adding a
//! migration, never by editing one.
//!
//! Clicks are never stored one row per click: the flusher adds them up per link and hour,
//! per link, day and referrer, per link, day and user-agent family, and keeps one row per
//! link, day and (salted, hashed) visitor, so the tables grow with links × time, not with
//! traffic.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum AuthUsers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ShortenerLinks {
    Table,
    Id,
    Code,
    Url,
    OwnerId,
    RedirectStatus,
    ExpiresAt,
    MaxClicks,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ShortenerClicksHourly {
    Table,
    LinkId,
    Hour,
    Clicks,
}

#[derive(DeriveIden, Clone, Copy)]
enum ShortenerReferrersDaily {
    Table,
    LinkId,
    Day,
    Referrer,
    Clicks,
}

#[derive(DeriveIden, Clone, Copy)]
enum ShortenerAgentsDaily {
    Table,
    LinkId,
    Day,
    Browser,
    Os,
    Bot,
    Clicks,
}

#[derive(DeriveIden, Clone, Copy)]
enum ShortenerVisitorsDaily {
    Table,
    LinkId,
    Day,
    Visitor,
}

#[derive(DeriveIden)]
enum ShortenerSalts {
    Table,
    Day,
    Salt,
}

/// All shortener migrations, oldest first.
pub fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreateShortenerTables)]
}

/// The links, the click aggregates and the daily salts.
pub struct CreateShortenerTables;

impl MigrationName for CreateShortenerTables {
    fn name(&self) -> &str {
        "m20261121_000001_create_shortener_tables"
    }
}

fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn count(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

/// An aggregate table keyed by its link and more columns; rows go with their link.
fn aggregate(
    table: impl IntoIden + Copy + 'static,
    link: impl IntoIden + Copy + 'static,
    columns: Vec<ColumnDef>,
    key: Vec<DynIden>,
) -> TableCreateStatement {
    let mut statement = Table::create();
    statement
        .table(table)
        .col(ColumnDef::new(link).big_integer().not_null());
    for mut column in columns {
        statement.col(&mut column);
    }
    let mut primary = Index::create();
    primary.col(link);
    for column in key {
        primary.col(column);
    }
    statement
        .primary_key(&mut primary)
        .foreign_key(
            ForeignKey::create()
                .from(table, link)
                .to(ShortenerLinks::Table, ShortenerLinks::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateShortenerTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ShortenerLinks::Table)
                    .col(
                        ColumnDef::new(ShortenerLinks::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ShortenerLinks::Code)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(ShortenerLinks::Url)
                            .string_len(2048)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ShortenerLinks::OwnerId).uuid().null())
                    .col(
                        ColumnDef::new(ShortenerLinks::RedirectStatus)
                            .small_integer()
                            .not_null()
                            .default(302),
                    )
                    .col(
                        ColumnDef::new(ShortenerLinks::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ShortenerLinks::MaxClicks)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ShortenerLinks::Enabled)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(timestamp(ShortenerLinks::CreatedAt))
                    .col(timestamp(ShortenerLinks::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ShortenerLinks::Table, ShortenerLinks::OwnerId)
                            .to(AuthUsers::Table, AuthUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // An account's links, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_shortener_links_owner")
                    .table(ShortenerLinks::Table)
                    .col(ShortenerLinks::OwnerId)
                    .col(ShortenerLinks::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(aggregate(
                ShortenerClicksHourly::Table,
                ShortenerClicksHourly::LinkId,
                vec![
                    timestamp(ShortenerClicksHourly::Hour),
                    count(ShortenerClicksHourly::Clicks),
                ],
                vec![ShortenerClicksHourly::Hour.into_iden()],
            ))
            .await?;
        manager
            .create_table(aggregate(
                ShortenerReferrersDaily::Table,
                ShortenerReferrersDaily::LinkId,
                vec![
                    ColumnDef::new(ShortenerReferrersDaily::Day)
                        .date()
                        .not_null()
                        .to_owned(),
                    ColumnDef::new(ShortenerReferrersDaily::Referrer)
                        .string_len(255)
                        .not_null()
                        .to_owned(),
                    count(ShortenerReferrersDaily::Clicks),
                ],
                vec![
                    ShortenerReferrersDaily::Day.into_iden(),
                    ShortenerReferrersDaily::Referrer.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(aggregate(
                ShortenerAgentsDaily::Table,
                ShortenerAgentsDaily::LinkId,
                vec![
                    ColumnDef::new(ShortenerAgentsDaily::Day)
                        .date()
                        .not_null()
                        .to_owned(),
                    ColumnDef::new(ShortenerAgentsDaily::Browser)
                        .string_len(32)
                        .not_null()
                        .to_owned(),
                    ColumnDef::new(ShortenerAgentsDaily::Os)
                        .string_len(32)
                        .not_null()
                        .to_owned(),
                    ColumnDef::new(ShortenerAgentsDaily::Bot)
                        .boolean()
                        .not_null()
                        .to_owned(),
                    count(ShortenerAgentsDaily::Clicks),
                ],
                vec![
                    ShortenerAgentsDaily::Day.into_iden(),
                    ShortenerAgentsDaily::Browser.into_iden(),
                    ShortenerAgentsDaily::Os.into_iden(),
                    ShortenerAgentsDaily::Bot.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(aggregate(
                ShortenerVisitorsDaily::Table,
                ShortenerVisitorsDaily::LinkId,
                vec![
                    ColumnDef::new(ShortenerVisitorsDaily::Day)
                        .date()
                        .not_null()
                        .to_owned(),
                    ColumnDef::new(ShortenerVisitorsDaily::Visitor)
                        .big_integer()
                        .not_null()
                        .to_owned(),
                ],
                vec![
                    ShortenerVisitorsDaily::Day.into_iden(),
                    ShortenerVisitorsDaily::Visitor.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShortenerSalts::Table)
                    .col(
                        ColumnDef::new(ShortenerSalts::Day)
                            .date()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ShortenerSalts::Salt)
                            .string_len(64)
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ShortenerSalts::Table.into_iden(),
            ShortenerVisitorsDaily::Table.into_iden(),
            ShortenerAgentsDaily::Table.into_iden(),
            ShortenerReferrersDaily::Table.into_iden(),
            ShortenerClicksHourly::Table.into_iden(),
            ShortenerLinks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
