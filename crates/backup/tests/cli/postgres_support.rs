//! Throwaway PostgreSQL databases for the round-trip tests, on the server that
//! `GROUNDWORK_TEST_POSTGRES_URL` names (skipped without it, unless services are required).

use sqlx::postgres::PgConnection;
use sqlx::{Connection as _, Executor as _};

/// The Pagila schema (adapted to PostgreSQL 15: see test-data/README.md) and its generated rows.
pub const PAGILA_SCHEMA: &str = include_str!("../../test-data/pagila-postgres/pagila-schema.sql");
pub const PAGILA_DATA: &str = include_str!("../../test-data/pagila-postgres/generate-data.sql");

/// A database created for one test and dropped after it.
pub struct Database {
    server: String,
    pub name: String,
    pub url: String,
}

/// The server URL, or `None` (the test is skipped) when it is not set and not required.
pub fn server() -> Option<String> {
    crate::support::service("GROUNDWORK_TEST_POSTGRES_URL")
}

impl Database {
    /// A new, empty database.
    pub async fn create(server: &str, label: &str) -> Self {
        let name = crate::support::unique_database(label);
        let mut admin = PgConnection::connect(server).await.unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .await
            .unwrap();
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        Self {
            server: server.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// A connection to it.
    pub async fn connect(&self) -> PgConnection {
        PgConnection::connect(&self.url).await.unwrap()
    }

    /// Runs a script (several statements).
    pub async fn run(&self, script: &str) {
        let mut conn = self.connect().await;
        conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(script.to_owned())))
            .await
            .unwrap();
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        crate::support::on_own_runtime(async move {
            if let Ok(mut admin) = PgConnection::connect(&server).await {
                // A database with a replication slot (incremental backups) cannot be dropped.
                let _ = sqlx::query(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1",
                )
                .bind(&name)
                .execute(&mut admin)
                .await;
                let _ = admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .await;
            }
        });
    }
}

/// The schema as the catalog describes it: every relation, column (type, default, not
/// null, identity, generated), constraint, index, trigger, function, view, type, enum label
/// and domain, rendered by the server's own `pg_get_*def` functions, sorted.
pub async fn catalog(conn: &mut PgConnection) -> Vec<(String, String, String)> {
    const USER: &str =
        "nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'";
    let sql = format!(
        "SELECT kind, name, definition FROM (
           SELECT 'relation' AS kind, c.oid::regclass::text AS name,
                  c.relkind::text || ' ' || coalesce(pg_get_partkeydef(c.oid), '') || ' '
                  || coalesce(pg_get_expr(c.relpartbound, c.oid), '') AS definition
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER}
           UNION ALL
           SELECT 'column', c.oid::regclass::text || '.' || a.attname,
                  format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
                  || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
                  || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE {USER} AND a.attnum > 0 AND NOT a.attisdropped
           UNION ALL
           SELECT 'constraint', co.conrelid::regclass::text || '.' || co.conname || co.contypid::regtype::text,
                  pg_get_constraintdef(co.oid)
             FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE {USER}
           UNION ALL
           SELECT 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER}
           UNION ALL
           SELECT 'trigger', t.tgrelid::regclass::text || '.' || t.tgname, pg_get_triggerdef(t.oid)
             FROM pg_trigger t WHERE NOT t.tgisinternal
           UNION ALL
           SELECT 'function', p.oid::regprocedure::text,
                  CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {USER}
           UNION ALL
           SELECT 'view', c.oid::regclass::text, pg_get_viewdef(c.oid)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {USER} AND c.relkind IN ('v', 'm')
           UNION ALL
           SELECT 'type', t.oid::regtype::text,
                  t.typtype::text || ' ' || coalesce(format_type(nullif(t.typbasetype, 0), t.typtypmod), '')
                  || ' ' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                                        FROM pg_enum e WHERE e.enumtypid = t.oid), '')
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE {USER} AND t.typtype IN ('e', 'd', 'c', 'r')
         ) everything ORDER BY 1, 2, 3"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

/// Every table's content, hashed by the server itself (independent of dbbackup's checksum):
/// `md5` of its rows as text, sorted, with the row count.
pub async fn contents(conn: &mut PgConnection) -> Vec<(String, i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'm') AND n.nspname = 'public' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let (rows, hash): (i64, Option<String>) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {table} t"
        )))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        out.push((table, rows, hash.unwrap_or_default()));
    }
    out
}

/// Every sequence's position.
pub async fn sequences(conn: &mut PgConnection) -> Vec<(String, Option<i64>)> {
    sqlx::query_as(
        "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

/// Pagila's `last_updated` trigger fires on `actor` (triggers came back after a restore).
pub async fn assert_last_update_trigger_fires(conn: &mut PgConnection, actor_id: i32) {
    sqlx::query("UPDATE public.actor SET last_update = '2000-01-01' WHERE actor_id = $1")
        .bind(actor_id)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE public.actor SET first_name = 'Changed' WHERE actor_id = $1")
        .bind(actor_id)
        .execute(&mut *conn)
        .await
        .unwrap();
    let touched: bool = sqlx::query_scalar(
        "SELECT last_update > '2001-01-01' FROM public.actor WHERE actor_id = $1",
    )
    .bind(actor_id)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(
        touched,
        "the last_updated trigger fires on actor {actor_id}"
    );
}
