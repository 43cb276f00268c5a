//! Projects, clients and their hourly rates.

use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{FromRow, Row as _};

use crate::failure::{Failure, Outcome};

/// An hourly rate in minor units (cents) of a currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Minor units per hour.
    pub cents_per_hour: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// A project as listed.
#[derive(Clone, Debug)]
pub struct ProjectRow {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its client's name, if it has one.
    pub client: Option<String>,
    /// Its own rate (cents per hour), if set.
    pub rate_cents: Option<i64>,
    /// Its own rate's currency.
    pub currency: Option<String>,
    /// Its client's rate, used when it has none of its own.
    pub client_rate_cents: Option<i64>,
    /// The client rate's currency.
    pub client_currency: Option<String>,
    /// Entries recorded.
    pub entries: i64,
    /// Seconds recorded (finished entries).
    pub seconds: i64,
    /// When it was last worked on (UTC seconds).
    pub last_start: Option<i64>,
}

impl<'r> FromRow<'r, SqliteRow> for ProjectRow {
    fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            client: row.try_get("client")?,
            rate_cents: row.try_get("rate_cents")?,
            currency: row.try_get("currency")?,
            client_rate_cents: row.try_get("client_rate_cents")?,
            client_currency: row.try_get("client_currency")?,
            entries: row.try_get("entries")?,
            seconds: row.try_get("seconds")?,
            last_start: row.try_get("last_start")?,
        })
    }
}

impl ProjectRow {
    /// The rate billed: the project's own, else its client's.
    pub fn rate(&self) -> Option<Rate> {
        rate_of(self.rate_cents, self.currency.as_deref())
            .or_else(|| rate_of(self.client_rate_cents, self.client_currency.as_deref()))
    }
}

fn rate_of(cents: Option<i64>, currency: Option<&str>) -> Option<Rate> {
    Some(Rate {
        cents_per_hour: cents?,
        currency: currency?.to_owned(),
    })
}

/// A client as listed.
#[derive(Clone, Debug)]
pub struct ClientRow {
    /// Its name.
    pub name: String,
    /// Its rate (cents per hour), if set.
    pub rate_cents: Option<i64>,
    /// The rate's currency.
    pub currency: Option<String>,
    /// Its projects' names, comma-separated.
    pub projects: Option<String>,
}

impl<'r> FromRow<'r, SqliteRow> for ClientRow {
    fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            name: row.try_get("name")?,
            rate_cents: row.try_get("rate_cents")?,
            currency: row.try_get("currency")?,
            projects: row.try_get("projects")?,
        })
    }
}

impl ClientRow {
    /// Its rate, when set.
    pub fn rate(&self) -> Option<Rate> {
        rate_of(self.rate_cents, self.currency.as_deref())
    }
}

/// The id of the project named `name`, creating it if needed.
pub async fn ensure_project(conn: &mut SqliteConnection, name: &str) -> Outcome<i64> {
    let name = valid_name(name, "project")?;
    sqlx::query("INSERT INTO projects (name) VALUES (?) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar("SELECT id FROM projects WHERE name = ?")
        .bind(name)
        .fetch_one(conn)
        .await?)
}

/// The id of an existing project.
pub async fn find_project(conn: &mut SqliteConnection, name: &str) -> Outcome<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM projects WHERE name = ?")
        .bind(name.trim())
        .fetch_optional(conn)
        .await?)
}

/// The id of an existing client.
pub async fn find_client(conn: &mut SqliteConnection, name: &str) -> Outcome<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM clients WHERE name = ?")
        .bind(name.trim())
        .fetch_optional(conn)
        .await?)
}

/// Every project name, for completion in the interactive mode.
pub async fn project_names(conn: &mut SqliteConnection) -> Outcome<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM projects ORDER BY name")
            .fetch_all(conn)
            .await?,
    )
}

/// Every project with its client, rates and totals.
pub async fn list_projects(conn: &mut SqliteConnection) -> Outcome<Vec<ProjectRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name, c.name AS client, p.rate_cents, p.currency, \
                c.rate_cents AS client_rate_cents, c.currency AS client_currency, \
                coalesce(t.entries, 0) AS entries, coalesce(t.seconds, 0) AS seconds, \
                t.last_start \
         FROM projects p \
         LEFT JOIN clients c ON c.id = p.client_id \
         LEFT JOIN (SELECT project_id, count(*) AS entries, \
                           sum(coalesce(stop, start) - start) AS seconds, max(start) AS last_start \
                    FROM entries GROUP BY project_id) t ON t.project_id = p.id \
         ORDER BY p.name",
    )
    .fetch_all(conn)
    .await?)
}

/// Every client with its rate and projects.
pub async fn list_clients(conn: &mut SqliteConnection) -> Outcome<Vec<ClientRow>> {
    Ok(sqlx::query_as(
        "SELECT c.name, c.rate_cents, c.currency, \
                (SELECT group_concat(name, ', ') FROM \
                    (SELECT name FROM projects WHERE client_id = c.id ORDER BY name)) AS projects \
         FROM clients c ORDER BY c.name",
    )
    .fetch_all(conn)
    .await?)
}

/// Makes `client` (created if needed) the client of `project` (created if needed).
pub async fn assign(conn: &mut SqliteConnection, project: &str, client: &str) -> Outcome {
    let client = valid_name(client, "client")?;
    let mut txn = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
    let project_id = ensure_project(&mut txn, project).await?;
    sqlx::query("INSERT INTO clients (name) VALUES (?) ON CONFLICT (name) DO NOTHING")
        .bind(client)
        .execute(&mut *txn)
        .await?;
    sqlx::query(
        "UPDATE projects SET client_id = (SELECT id FROM clients WHERE name = ?) WHERE id = ?",
    )
    .bind(client)
    .bind(project_id)
    .execute(&mut *txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether a rate applies to a project or a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateTarget {
    /// A project's own rate.
    Project,
    /// A client's rate, for its projects without their own.
    Client,
}

/// Sets the hourly rate of the project or client named `name`. Without an explicit target,
/// a name that is both a project and a client is refused as ambiguous.
pub async fn set_rate(
    conn: &mut SqliteConnection,
    name: &str,
    target: Option<RateTarget>,
    rate: &Rate,
) -> Outcome<RateTarget> {
    let project = find_project(conn, name).await?;
    let client = find_client(conn, name).await?;
    let (table, id, target) = match (target, project, client) {
        (Some(RateTarget::Project) | None, Some(id), None)
        | (Some(RateTarget::Project), Some(id), _) => ("projects", id, RateTarget::Project),
        (Some(RateTarget::Client) | None, None, Some(id))
        | (Some(RateTarget::Client), _, Some(id)) => ("clients", id, RateTarget::Client),
        (None, Some(_), Some(_)) => {
            return Err(
                Failure::usage(format!("\"{name}\" is both a project and a client")).hint(format!(
                    "say which: freelance rate set --project {name} ... or --client {name} ..."
                )),
            );
        }
        (wanted, _, _) => {
            let kind = match wanted {
                Some(RateTarget::Client) => "client",
                Some(RateTarget::Project) => "project",
                None => "project or client",
            };
            return Err(Failure::failed(format!("there is no {kind} named \"{name}\""))
                .hint("freelance projects and freelance clients list the names; freelance assign <project> <client> makes a client"));
        }
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET rate_cents = ?, currency = ? WHERE id = ?"
    )))
    .bind(rate.cents_per_hour)
    .bind(&rate.currency)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(target)
}

/// What a report needs to know about a project.
#[derive(Clone, Debug)]
pub struct Billing {
    /// The project's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its client's name.
    pub client: Option<String>,
    /// The rate billed: its own, else its client's.
    pub rate: Option<Rate>,
}

/// Every project's name, client and billed rate.
pub async fn billing(conn: &mut SqliteConnection) -> Outcome<Vec<Billing>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, c.name, coalesce(p.rate_cents, c.rate_cents), \
                CASE WHEN p.rate_cents IS NOT NULL THEN p.currency ELSE c.currency END \
         FROM projects p LEFT JOIN clients c ON c.id = p.client_id",
    )
    .fetch_all(conn)
    .await?;
    let read = |row: &sqlx::sqlite::SqliteRow| -> Result<Billing, sqlx::Error> {
        let cents: Option<i64> = row.try_get(3)?;
        let currency: Option<String> = row.try_get(4)?;
        Ok(Billing {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            client: row.try_get(2)?,
            rate: rate_of(cents, currency.as_deref()),
        })
    };
    Ok(rows.iter().map(read).collect::<Result<_, _>>()?)
}

/// Names are trimmed, non-empty, at most 100 characters, and not mistakable for a tag or
/// an option.
pub fn valid_name<'a>(name: &'a str, what: &str) -> Outcome<&'a str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Failure::usage(format!("a {what} name cannot be empty"))
            .hint("quote names with spaces: freelance start \"Acme site\""));
    }
    if name.chars().count() > 100 {
        return Err(Failure::usage(format!(
            "a {what} name is at most 100 characters"
        )));
    }
    if name.starts_with(['+', '-']) || name.chars().any(char::is_control) {
        return Err(Failure::usage(format!(
            "\"{name}\" cannot be a {what} name: names cannot start with + or - or hold control characters"
        ))
        .hint("+word is a tag: freelance start project1 +design"));
    }
    Ok(name)
}

/// The ids of a client's projects.
pub async fn projects_of_client(conn: &mut SqliteConnection, client_id: i64) -> Outcome<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM projects WHERE client_id = ?")
            .bind(client_id)
            .fetch_all(conn)
            .await?,
    )
}
