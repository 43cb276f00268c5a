//! Per-system migrations, tracked in one table keyed by `(system, name)`.
//!
//! Each system owns its migrations (sea-orm-migration's [`MigrationTrait`]), so the set of
//! migrations depends on which systems a binary links; sea-orm-migration's own `Migrator`
//! wants that set fixed at compile time, so this small runner applies them instead.
//!
//! All pending migrations run in one transaction under a lock: on PostgreSQL a transaction
//! advisory lock, on SQLite the write lock. Two instances starting at once therefore
//! migrate once; a failing migration leaves the schema as it was (both backends have
//! transactional DDL).

use chrono::Utc;
use sea_orm::sea_query::{Alias, ColumnDef, Query, Table};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
};
use sea_orm_migration::{MigrationTrait, SchemaManager};

const TABLE: &str = "groundwork_migrations";
/// Arbitrary constant identifying the migration lock among advisory locks.
const PG_ADVISORY_LOCK_KEY: i64 = 0x6772_6f75_6e64;

/// The migrations of one system, in the order they must run.
pub struct SystemMigrations {
    /// The system's name; part of the key under which applied migrations are recorded.
    pub system: &'static str,
    /// Its migrations, oldest first.
    pub migrations: Vec<Box<dyn MigrationTrait>>,
}

/// What a migration run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// `(system, migration)` pairs applied by this run, in order.
    pub applied: Vec<(String, String)>,
}

/// Applies every pending migration of every given system.
pub async fn run(
    db: &DatabaseConnection,
    sets: &[SystemMigrations],
) -> Result<MigrationReport, DbErr> {
    let txn = super::begin_write(db).await?;
    lock(&txn).await?;
    let applied = applied(&txn).await?;
    let mut report = MigrationReport::default();
    for set in sets {
        for migration in &set.migrations {
            let name = migration.name();
            if applied.iter().any(|(s, n)| s == set.system && n == name) {
                continue;
            }
            tracing::info!(system = set.system, migration = name, "applying migration");
            migration
                .up(&SchemaManager::new(&txn))
                .await
                .map_err(|e| DbErr::Migration(format!("{}/{name}: {e}", set.system)))?;
            record(&txn, set.system, name).await?;
            report
                .applied
                .push((set.system.to_owned(), name.to_owned()));
        }
    }
    txn.commit().await?;
    Ok(report)
}

/// The `(system, migration)` pairs not yet applied, without changing anything.
pub async fn pending(
    db: &DatabaseConnection,
    sets: &[SystemMigrations],
) -> Result<Vec<(String, String)>, DbErr> {
    let applied = if table_exists(db).await? {
        applied(db).await?
    } else {
        Vec::new()
    };
    Ok(sets
        .iter()
        .flat_map(|set| set.migrations.iter().map(move |m| (set.system, m.name())))
        .filter(|(s, n)| !applied.iter().any(|(as_, an)| as_ == s && an == n))
        .map(|(s, n)| (s.to_owned(), n.to_owned()))
        .collect())
}

/// Takes the migration lock, then makes sure the bookkeeping table exists. On SQLite the
/// transaction already holds the write lock (`begin_write`); PostgreSQL needs an advisory
/// lock, taken before `CREATE TABLE IF NOT EXISTS`, which is not safe to run concurrently.
async fn lock(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [PG_ADVISORY_LOCK_KEY.into()],
        ))
        .await?;
    }
    create_table(txn).await
}

async fn create_table(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    let create = Table::create()
        .table(Alias::new(TABLE))
        .if_not_exists()
        .col(ColumnDef::new(Alias::new("system")).string().not_null())
        .col(ColumnDef::new(Alias::new("name")).string().not_null())
        .col(
            ColumnDef::new(Alias::new("applied_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .primary_key(
            sea_orm::sea_query::Index::create()
                .col(Alias::new("system"))
                .col(Alias::new("name")),
        )
        .to_owned();
    txn.execute(&create).await.map(|_| ())
}

async fn table_exists(db: &DatabaseConnection) -> Result<bool, DbErr> {
    SchemaManager::new(db).has_table(TABLE).await
}

async fn applied<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, String)>, DbErr> {
    let select = Query::select()
        .columns([Alias::new("system"), Alias::new("name")])
        .from(Alias::new(TABLE))
        .to_owned();
    conn.query_all(&select)
        .await?
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

async fn record(txn: &DatabaseTransaction, system: &str, name: &str) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table(Alias::new(TABLE))
        .columns([
            Alias::new("system"),
            Alias::new("name"),
            Alias::new("applied_at"),
        ])
        .values_panic([system.into(), name.into(), Utc::now().into()])
        .to_owned();
    txn.execute(&insert).await.map(|_| ())
}
