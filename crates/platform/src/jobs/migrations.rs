//! The job tables. Written as SQL per backend: the partial indexes and the PostgreSQL
//! notify trigger are the point of the design and should be read as they are.
//!
//! Times are integers, microseconds since the Unix epoch (UTC), on both backends: they
//! compare and index the same way everywhere and need no parsing in the claim path.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};

/// Every migration of the platform's job tables, oldest first.
pub(crate) fn all() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(CreateJobTables)]
}

struct CreateJobTables;

impl MigrationName for CreateJobTables {
    fn name(&self) -> &'static str {
        "m0001_create_job_tables"
    }
}

/// The tables, with the column types that differ between the backends left as
/// `{id}` (the generated key) and `{int64}`.
const TABLES: &[&str] = &[
    "CREATE TABLE groundwork_jobs (
        id {id},
        kind TEXT NOT NULL,
        queue TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        payload TEXT NOT NULL,
        payload_version INTEGER NOT NULL DEFAULT 1,
        state TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        run_at {int64} NOT NULL,
        created_at {int64} NOT NULL,
        updated_at {int64} NOT NULL,
        started_at {int64},
        finished_at {int64},
        locked_by TEXT,
        lease_until {int64},
        last_error TEXT,
        unique_key TEXT,
        cancel_requested BOOLEAN NOT NULL DEFAULT FALSE
    )",
    "CREATE TABLE groundwork_job_schedules (
        name TEXT PRIMARY KEY NOT NULL,
        last_tick {int64} NOT NULL
    )",
];

/// PostgreSQL only: the wake-up of idle workers.
const POSTGRES_NOTIFY: &[&str] = &[
    // One notification per inserting statement (not per row): a bulk insert wakes the
    // workers once. Delivered at commit, so a rolled-back enqueue wakes nobody.
    "CREATE FUNCTION groundwork_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
        PERFORM pg_notify('groundwork_jobs', '');
        RETURN NULL;
     END $$",
    "CREATE TRIGGER groundwork_jobs_inserted AFTER INSERT ON groundwork_jobs
     FOR EACH STATEMENT EXECUTE FUNCTION groundwork_jobs_notify()",
];

/// Indexes, the same on both backends.
const INDEXES: &[&str] = &[
    // The claim: due jobs in priority order. Only queued rows are in it, so it stays
    // small however many finished jobs the table keeps.
    "CREATE INDEX groundwork_jobs_claim ON groundwork_jobs (priority DESC, run_at, id)
     WHERE state = 'queued'",
    // A unique key is unique among pending jobs only.
    "CREATE UNIQUE INDEX groundwork_jobs_unique_pending ON groundwork_jobs (unique_key)
     WHERE unique_key IS NOT NULL AND state IN ('queued', 'running')",
    // The reaper: leases of running jobs.
    "CREATE INDEX groundwork_jobs_leases ON groundwork_jobs (lease_until)
     WHERE state = 'running'",
    // Listing by state, newest first, and retention of finished jobs.
    "CREATE INDEX groundwork_jobs_state ON groundwork_jobs (state, id)",
    "CREATE INDEX groundwork_jobs_finished ON groundwork_jobs (finished_at)
     WHERE state IN ('succeeded', 'cancelled')",
];

#[async_trait::async_trait]
impl MigrationTrait for CreateJobTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let postgres = conn.get_database_backend() == DbBackend::Postgres;
        // SQLite: INTEGER PRIMARY KEY is the rowid; AUTOINCREMENT never reuses the id of
        // a deleted (purged) job, so an id in an old log line names one job only.
        let (id, int64) = if postgres {
            ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT")
        } else {
            ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER")
        };
        for table in TABLES {
            let sql = table.replace("{id}", id).replace("{int64}", int64);
            conn.execute_unprepared(&sql).await?;
        }
        let notify: &[&str] = if postgres { POSTGRES_NOTIFY } else { &[] };
        for statement in notify.iter().chain(INDEXES) {
            conn.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
