//! The MySQL/MariaDB schema, read the way the server itself writes it: `SHOW CREATE TABLE`,
//! `SHOW CREATE VIEW`, `SHOW CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT`. A table's secondary
//! indexes and foreign keys are set apart so a restore can add them after the data, in one
//! `ALTER TABLE` per table (a sorted index build instead of row-by-row maintenance).

use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use sqlx::mysql::MySqlConnection;

use crate::error::{BackupError, Result};

/// Every object of one database, in the order a restore creates them.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Objects {
    /// Tables, without their deferred keys.
    pub tables: Vec<TableDef>,
    /// Views, in dependency order is not known: restore retries until all are made.
    pub views: Vec<Routine>,
    /// Procedures and functions.
    pub routines: Vec<Routine>,
    /// Triggers (after the data, so loading does not fire them).
    pub triggers: Vec<Routine>,
    /// Scheduled events.
    pub events: Vec<Routine>,
}

/// A table's definition.
#[derive(Debug, Serialize, Deserialize)]
pub struct TableDef {
    /// Its name.
    pub name: String,
    /// `CREATE TABLE` without the deferred keys.
    pub create: String,
    /// `KEY ...`, `UNIQUE KEY ...`, `FULLTEXT KEY ...`, `CONSTRAINT ... FOREIGN KEY ...`.
    pub deferred: Vec<String>,
}

/// A view, routine, trigger or event: its statement and the session it was made in
/// (`sql_mode`, client character set and collation), which the server keeps with it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Routine {
    /// Its name.
    pub name: String,
    /// `sql_mode` at creation (empty for views).
    pub sql_mode: String,
    /// `character_set_client` at creation.
    #[serde(default)]
    pub charset: String,
    /// `collation_connection` at creation.
    #[serde(default)]
    pub collation: String,
    /// Events: the `time_zone` their schedule is read in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub time_zone: String,
    /// The `CREATE` statement.
    pub create: String,
}

impl Routine {
    /// The `SET` that recreates its session.
    pub fn session(&self) -> String {
        let clean = |text: &str| text.replace(['\'', '\\'], "");
        let mut set = vec![format!("sql_mode = '{}'", clean(&self.sql_mode))];
        if !self.charset.is_empty() {
            set.push(format!("character_set_client = '{}'", clean(&self.charset)));
        }
        if !self.collation.is_empty() {
            set.push(format!(
                "collation_connection = '{}'",
                clean(&self.collation)
            ));
        }
        if !self.time_zone.is_empty() {
            set.push(format!("time_zone = '{}'", clean(&self.time_zone)));
        }
        format!("SET SESSION {}", set.join(", "))
    }
}

/// `` `name` `` quoted.
pub fn quote(identifier: &str) -> String {
    format!("`{}`", identifier.replace('`', "``"))
}

/// Reads every object of the connection's current database.
pub async fn read(conn: &mut MySqlConnection) -> Result<Objects> {
    let mut objects = Objects::default();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(TABLE_TYPE AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (name, kind) in tables {
        match kind.as_str() {
            "BASE TABLE" => {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SHOW CREATE TABLE {}",
                    quote(&name)
                )))
                .fetch_one(&mut *conn)
                .await?;
                let (create, deferred) = defer_keys(&row.try_get::<String, _>(1)?);
                objects.tables.push(TableDef {
                    name,
                    create,
                    deferred,
                });
            }
            "VIEW" => {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SHOW CREATE VIEW {}",
                    quote(&name)
                )))
                .fetch_one(&mut *conn)
                .await?;
                objects.views.push(Routine {
                    name,
                    sql_mode: String::new(),
                    charset: row.try_get("character_set_client")?,
                    collation: row.try_get("collation_connection")?,
                    time_zone: String::new(),
                    create: row.try_get(1)?,
                });
            }
            other => {
                return Err(BackupError::failed(format!(
                    "{name} is a {other}, which dbbackup cannot back up yet"
                ))
                .hint("docs/systems/backup.md lists what MySQL backups cover"));
            }
        }
    }
    let routines: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(ROUTINE_NAME AS CHAR), CAST(ROUTINE_TYPE AS CHAR) FROM information_schema.ROUTINES \
         WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_TYPE, ROUTINE_NAME",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (name, kind) in routines {
        objects
            .routines
            .push(show_create(conn, &kind, &name, 2).await?);
    }
    let triggers: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(TRIGGER_NAME AS CHAR) FROM information_schema.TRIGGERS \
         WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER",
    )
    .fetch_all(&mut *conn)
    .await?;
    for name in triggers {
        objects
            .triggers
            .push(show_create(conn, "TRIGGER", &name, 2).await?);
    }
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(EVENT_NAME AS CHAR) FROM information_schema.EVENTS \
         WHERE EVENT_SCHEMA = DATABASE() ORDER BY EVENT_NAME",
    )
    .fetch_all(&mut *conn)
    .await?;
    for name in events {
        objects
            .events
            .push(show_create(conn, "EVENT", &name, 3).await?);
    }
    Ok(objects)
}

/// `SHOW CREATE <kind> name`: column 1 is `sql_mode`, `column` the statement.
async fn show_create(
    conn: &mut MySqlConnection,
    kind: &str,
    name: &str,
    column: usize,
) -> Result<Routine> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SHOW CREATE {kind} {}",
        quote(name)
    )))
    .fetch_one(&mut *conn)
    .await?;
    let create: Option<String> = row.try_get(column)?;
    let create = create.ok_or_else(|| {
        BackupError::failed(format!(
            "the server does not show the definition of {} {name}",
            kind.to_lowercase()
        ))
        .hint("the backup user needs the privileges to see it (SHOW_ROUTINE, TRIGGER or EVENT)")
    })?;
    Ok(Routine {
        name: name.to_owned(),
        sql_mode: row.try_get(1)?,
        charset: row.try_get("character_set_client")?,
        collation: row.try_get("collation_connection")?,
        time_zone: if kind == "EVENT" {
            row.try_get("time_zone")?
        } else {
            String::new()
        },
        create,
    })
}

/// Splits `SHOW CREATE TABLE` output into the statement without its secondary keys and
/// foreign keys, and those keys. A table whose auto-increment column does not lead the
/// primary key keeps every key inline (the server needs an index on that column).
pub fn defer_keys(create: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = create.lines().collect();
    let Some(close) = lines.iter().rposition(|line| line.starts_with(')')) else {
        return (create.to_owned(), Vec::new());
    };
    if close < 1 {
        return (create.to_owned(), Vec::new());
    }
    let body: Vec<&str> = lines[1..close]
        .iter()
        .map(|line| line.trim().trim_end_matches(','))
        .collect();
    let deferrable = |line: &str| {
        ["KEY ", "UNIQUE KEY ", "FULLTEXT KEY ", "SPATIAL KEY "]
            .iter()
            .any(|prefix| line.starts_with(prefix))
            || (line.starts_with("CONSTRAINT ") && line.contains(" FOREIGN KEY "))
    };
    let auto_increment = body
        .iter()
        .find(|line| line.starts_with('`') && line.contains(" AUTO_INCREMENT"))
        .and_then(|line| line.split('`').nth(1));
    let primary_leads = |column: &str| {
        body.iter().any(|line| {
            line.starts_with("PRIMARY KEY (`")
                && line["PRIMARY KEY (`".len()..].starts_with(&format!("{column}`"))
        })
    };
    if auto_increment.is_some_and(|column| !primary_leads(column)) {
        return (create.to_owned(), Vec::new());
    }
    let (deferred, kept): (Vec<&str>, Vec<&str>) =
        body.iter().copied().partition(|line| deferrable(line));
    let mut statement = String::from(lines[0]);
    statement.push('\n');
    statement.push_str(
        &kept
            .iter()
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join(",\n"),
    );
    statement.push('\n');
    statement.push_str(&lines[close..].join("\n"));
    (statement, deferred.into_iter().map(str::to_owned).collect())
}

/// The schema as one script for the `mysql`/`mariadb` client (for people; restore reads
/// `objects.json`).
pub fn script(objects: &Objects) -> String {
    format!(
        "SET FOREIGN_KEY_CHECKS = 0;\n\n{}{}{}",
        script_tables(objects),
        script_keys(objects),
        script_routines(objects)
    )
}

/// Every `CREATE TABLE`, without the deferred keys.
pub fn script_tables(objects: &Objects) -> String {
    objects
        .tables
        .iter()
        .map(|table| format!("{};\n\n", table.create))
        .collect()
}

/// The deferred keys, one `ALTER TABLE` per table.
pub fn script_keys(objects: &Objects) -> String {
    objects
        .tables
        .iter()
        .filter(|table| !table.deferred.is_empty())
        .map(|table| {
            let adds: Vec<String> = table
                .deferred
                .iter()
                .map(|key| format!("ADD {key}"))
                .collect();
            format!(
                "ALTER TABLE {} {};\n\n",
                quote(&table.name),
                adds.join(", ")
            )
        })
        .collect()
}

/// Views ordered so that each comes after the views it reads (a view reads another when its
/// statement names it, quoted); a cycle, which the server would not allow, keeps the rest in
/// name order.
pub fn views_in_order(views: &[Routine]) -> Vec<&Routine> {
    let mut waiting: Vec<&Routine> = views.iter().collect();
    let mut ordered = Vec::with_capacity(views.len());
    while !waiting.is_empty() {
        let reads_waiting = |view: &Routine, waiting: &[&Routine]| {
            waiting
                .iter()
                .any(|other| other.name != view.name && view.create.contains(&quote(&other.name)))
        };
        let ready = waiting
            .iter()
            .position(|view| !reads_waiting(view, &waiting))
            .unwrap_or(0);
        ordered.push(waiting.remove(ready));
    }
    ordered
}

/// Views, routines, triggers and events, each after the `SET` of its session.
pub fn script_routines(objects: &Objects) -> String {
    let mut out = String::from("DELIMITER ;;\n");
    let objects_in_order = views_in_order(&objects.views)
        .into_iter()
        .chain(&objects.routines)
        .chain(&objects.triggers)
        .chain(&objects.events);
    for object in objects_in_order {
        out.push_str(&format!("{};;\n", object.session()));
        out.push_str(&format!("{};;\n\n", object.create));
    }
    out.push_str("DELIMITER ;\n");
    out
}

#[cfg(test)]
mod tests {
    use super::defer_keys;

    #[test]
    fn secondary_keys_and_foreign_keys_are_set_apart() {
        let create = "CREATE TABLE `film` (\n  `film_id` smallint(5) unsigned NOT NULL AUTO_INCREMENT,\n  `title` varchar(255) NOT NULL,\n  PRIMARY KEY (`film_id`),\n  KEY `idx_title` (`title`),\n  CONSTRAINT `chk` CHECK (`title` <> ''),\n  CONSTRAINT `fk_lang` FOREIGN KEY (`title`) REFERENCES `language` (`name`)\n) ENGINE=InnoDB AUTO_INCREMENT=1001";
        let (statement, deferred) = defer_keys(create);
        assert_eq!(
            statement,
            "CREATE TABLE `film` (\n  `film_id` smallint(5) unsigned NOT NULL AUTO_INCREMENT,\n  `title` varchar(255) NOT NULL,\n  PRIMARY KEY (`film_id`),\n  CONSTRAINT `chk` CHECK (`title` <> '')\n) ENGINE=InnoDB AUTO_INCREMENT=1001"
        );
        assert_eq!(
            deferred,
            [
                "KEY `idx_title` (`title`)",
                "CONSTRAINT `fk_lang` FOREIGN KEY (`title`) REFERENCES `language` (`name`)"
            ]
        );
        let odd = "CREATE TABLE `t` (\n  `a` int NOT NULL,\n  `b` int NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`a`),\n  KEY `b` (`b`)\n) ENGINE=InnoDB";
        assert_eq!(defer_keys(odd), (odd.to_owned(), Vec::new()));
    }
}
