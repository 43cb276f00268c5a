//! PostgreSQL's schema comes from `pg_dump --schema-only`, run in dbbackup's own snapshot
//! (`--snapshot`): it knows every object type of every server version (types, domains,
//! functions, aggregates, partitions, policies, extensions...), which a hand-written catalog
//! reader would chase forever. Its `pre-data` section is restored before the data and its
//! `post-data` section (indexes, constraints, triggers) after it, split into entries so
//! indexes and constraints can be built in parallel.

use std::process::Stdio;

use sqlx::postgres::PgConnectOptions;

use crate::error::{BackupError, Result};
use crate::target::Secret;

/// Runs `pg_dump --schema-only --section=<section>` inside `snapshot`.
pub async fn dump_section(
    options: &PgConnectOptions,
    password: &Secret,
    snapshot: &str,
    section: &str,
) -> Result<String> {
    let mut command = tokio::process::Command::new("pg_dump");
    command
        .args(["--schema-only", "--no-owner", "--no-privileges"])
        .arg(format!("--section={section}"))
        .arg(format!("--snapshot={snapshot}"))
        .arg("--host")
        .arg(options.get_socket().map_or_else(
            || options.get_host().to_owned(),
            |socket| socket.display().to_string(),
        ))
        .arg("--port")
        .arg(options.get_port().to_string())
        .arg("--username")
        .arg(options.get_username())
        .arg("--dbname")
        .arg(options.get_database().unwrap_or("postgres"))
        .env("PGAPPNAME", "dbbackup")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    // The password goes through the environment, never the command line (process listings).
    if let Some(password) = &password.0 {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().await.map_err(|error| {
        BackupError::failed(format!("cannot run pg_dump for the schema: {error}"))
            .hint("dbbackup reads PostgreSQL schemas with pg_dump: install the PostgreSQL client (Debian: apt install postgresql-client)")
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("no message");
        let hint = if stderr.contains("version mismatch") {
            "pg_dump must be at least as new as the server: install a newer PostgreSQL client"
        } else {
            "the schema could not be read; nothing was kept"
        };
        return Err(BackupError::failed(format!("pg_dump failed: {first}")).hint(hint));
    }
    let script = String::from_utf8(output.stdout)
        .map_err(|_| BackupError::failed("pg_dump wrote a schema that is not UTF-8"))?;
    Ok(without_meta_commands(&script))
}

/// Drops psql's `\restrict`/`\unrestrict` lines (pg_dump adds them since 15.14/16.10/17.6):
/// dbbackup sends the script to the server itself, which would not know them.
fn without_meta_commands(script: &str) -> String {
    script
        .lines()
        .filter(|line| !line.starts_with("\\restrict ") && !line.starts_with("\\unrestrict "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// One object of a pg_dump script, from its `-- Name: ...; Type: ...;` header to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// pg_dump's object type: `INDEX`, `CONSTRAINT`, `FK CONSTRAINT`, `TRIGGER`, ...
    pub kind: String,
    /// Its statements.
    pub sql: String,
}

/// A script as its preamble (the `SET`s each session needs) and its entries, in order.
pub fn split(script: &str) -> (String, Vec<Entry>) {
    let mut preamble = String::new();
    let mut entries: Vec<Entry> = Vec::new();
    let lines: Vec<&str> = script.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let header = (line == "--")
            .then(|| lines.get(index + 1))
            .flatten()
            .and_then(|next| kind_of(next))
            .filter(|_| lines.get(index + 2) == Some(&"--"));
        if let Some(kind) = header {
            entries.push(Entry {
                kind,
                sql: String::new(),
            });
            index += 3;
            continue;
        }
        let into = match entries.last_mut() {
            Some(entry) => &mut entry.sql,
            None => &mut preamble,
        };
        if !line.starts_with("--") || !into.is_empty() {
            into.push_str(line);
            into.push('\n');
        }
        index += 1;
    }
    (preamble, entries)
}

/// `-- Name: x; Type: INDEX; Schema: public; Owner: -` gives `INDEX`.
fn kind_of(line: &str) -> Option<String> {
    let rest = line.strip_prefix("-- ")?;
    if !rest.starts_with("Name: ") && !rest.starts_with("Data for Name: ") {
        return None;
    }
    let start = rest.find("; Type: ")? + "; Type: ".len();
    let end = rest[start..].find(';')? + start;
    Some(rest[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_splits_into_its_preamble_and_typed_entries() {
        let script = "--\n-- PostgreSQL database dump\n--\n\\restrict abc\nSET x = 1;\n\n\
            --\n-- Name: t_pkey; Type: CONSTRAINT; Schema: public; Owner: -\n--\n\n\
            ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\n\
            --\n-- Name: t f; Type: FK CONSTRAINT; Schema: public; Owner: -\n--\n\n\
            ALTER TABLE ONLY public.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES public.u(id);\n\
            \\unrestrict abc\n";
        let (preamble, entries) = split(&without_meta_commands(script));
        assert!(preamble.contains("SET x = 1;"));
        assert!(!preamble.contains("restrict"));
        let kinds: Vec<&str> = entries.iter().map(|entry| entry.kind.as_str()).collect();
        assert_eq!(kinds, ["CONSTRAINT", "FK CONSTRAINT"]);
        assert!(entries[0].sql.contains("PRIMARY KEY (id)"));
        assert!(!entries[1].sql.contains("restrict"));
    }
}
