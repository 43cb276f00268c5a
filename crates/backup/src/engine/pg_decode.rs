//! PostgreSQL incremental backups read row changes through logical decoding with the
//! `test_decoding` plugin, which ships with the server (no extension to install). Its
//! output is text, one change a line:
//!
//! ```text
//! table public.film: INSERT: film_id[integer]:1 title[text]:'It''s' rating[numeric]:1.50
//! table public.film: UPDATE: old-key: film_id[integer]:1 new-tuple: film_id[integer]:2 ...
//! table public.film: DELETE: film_id[integer]:2
//! table public.a, public.b: TRUNCATE: cascade
//! ```
//!
//! This module parses those lines and turns each into the SQL statement that replays it.
//! Values arrive as their types' output text (numbers and booleans bare, everything else
//! quoted with `'` doubled), so every value is replayed as a quoted literal that the
//! server coerces to the column's type.

use std::collections::{HashMap, HashSet};

use super::postgres::quote;

/// A decoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A TOASTed value an UPDATE did not change: the decoder does not have it.
    UnchangedToast,
    /// The type's output text.
    Text(String),
}

/// One column of a decoded tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// As `format_type` prints it (`integer`, `text[]`, `character varying(20)`).
    pub type_name: String,
    pub value: Value,
}

/// What one line of `test_decoding` output says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// `BEGIN` (the transaction id comes with the row, not from here).
    Begin,
    /// `COMMIT ... (at <time>)`.
    Commit {
        at: Option<String>,
    },
    Insert {
        table: (String, String),
        new: Vec<Column>,
    },
    Update {
        table: (String, String),
        /// Only when the key changed, or for `REPLICA IDENTITY FULL` tables.
        old: Option<Vec<Column>>,
        new: Vec<Column>,
    },
    Delete {
        table: (String, String),
        /// `None` when the table has no replica identity (`(no-tuple-data)`).
        old: Option<Vec<Column>>,
    },
    Truncate {
        tables: Vec<(String, String)>,
    },
    /// `pg_logical_emit_message` output: nothing to replay.
    Message,
}

/// What replaying needs to know of a table, read from the catalog when the changes are.
#[derive(Clone, Debug, Default)]
pub struct TableInfo {
    /// `"schema"."name"`.
    pub sql_name: String,
    /// Columns a statement may write (generated columns are the server's).
    pub writable: HashSet<String>,
    /// `GENERATED ALWAYS AS IDENTITY` columns: inserted with `OVERRIDING SYSTEM VALUE`,
    /// never updated (the source could not have changed them either).
    pub always_identity: HashSet<String>,
    /// The replica identity's columns (the primary key, or the chosen unique index); empty
    /// when the table has none.
    pub key: Vec<String>,
    /// `REPLICA IDENTITY FULL`: rows are found by every old value.
    pub full_identity: bool,
}

/// Tables by (schema, name).
pub type Tables = HashMap<(String, String), TableInfo>;

/// A statement that replays a change, and how many rows it must touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    /// 1 for a row change; 0 for `TRUNCATE` (whose count the server does not report).
    pub rows: u64,
}

/// Parses one line of `test_decoding` output.
pub fn parse(line: &str) -> Result<Change, String> {
    if line == "BEGIN" || line.starts_with("BEGIN ") {
        return Ok(Change::Begin);
    }
    if line == "COMMIT" || line.starts_with("COMMIT ") {
        let at = line
            .split_once("(at ")
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .map(str::to_owned);
        return Ok(Change::Commit { at });
    }
    if line.starts_with("message:") {
        return Ok(Change::Message);
    }
    let mut cursor = Cursor::new(line);
    cursor.expect("table ")?;
    let mut tables = vec![cursor.qualified_name()?];
    while cursor.eat(", ") {
        tables.push(cursor.qualified_name()?);
    }
    cursor.expect(": ")?;
    let action = cursor.word()?;
    cursor.expect(":")?;
    let table = tables[0].clone();
    match action.as_str() {
        "INSERT" => Ok(Change::Insert {
            table,
            new: cursor.tuple()?.unwrap_or_default(),
        }),
        "UPDATE" => {
            if cursor.eat(" old-key:") {
                let old = cursor.tuple()?;
                cursor.expect(" new-tuple:")?;
                let new = cursor.tuple()?.unwrap_or_default();
                Ok(Change::Update { table, old, new })
            } else {
                let new = cursor.tuple()?.unwrap_or_default();
                Ok(Change::Update {
                    table,
                    old: None,
                    new,
                })
            }
        }
        "DELETE" => Ok(Change::Delete {
            table,
            old: cursor.tuple()?,
        }),
        "TRUNCATE" => Ok(Change::Truncate { tables }),
        other => Err(format!("unknown change \"{other}\"")),
    }
}

/// The statement that replays `change`, or `None` for changes with nothing to replay.
pub fn statement(change: &Change, tables: &Tables) -> Result<Option<Statement>, String> {
    let info = |table: &(String, String)| {
        tables.get(table).ok_or_else(|| {
            format!(
                "table {}.{} changed but is not in the backup's schema (created since the full backup?)",
                table.0, table.1
            )
        })
    };
    let statement = match change {
        Change::Begin | Change::Commit { .. } | Change::Message => return Ok(None),
        Change::Insert { table, new } => {
            let info = info(table)?;
            let columns: Vec<&Column> = new
                .iter()
                .filter(|column| info.writable.contains(&column.name))
                .collect();
            let names: Vec<String> = columns.iter().map(|column| quote(&column.name)).collect();
            let values: Vec<String> = columns
                .iter()
                .map(|column| literal(&column.value))
                .collect();
            let overriding = if info.always_identity.is_empty() {
                ""
            } else {
                " OVERRIDING SYSTEM VALUE"
            };
            Statement {
                sql: format!(
                    "INSERT INTO {} ({}){overriding} VALUES ({})",
                    info.sql_name,
                    names.join(", "),
                    values.join(", ")
                ),
                rows: 1,
            }
        }
        Change::Update { table, old, new } => {
            let info = info(table)?;
            // Without an old key the key did not change: setting it again would be noise.
            let key_unchanged = old.is_none() && !info.full_identity;
            let assignments: Vec<String> = new
                .iter()
                .filter(|column| {
                    info.writable.contains(&column.name)
                        && !info.always_identity.contains(&column.name)
                        && column.value != Value::UnchangedToast
                        && !(key_unchanged && info.key.contains(&column.name))
                })
                .map(|column| format!("{} = {}", quote(&column.name), literal(&column.value)))
                .collect();
            if assignments.is_empty() {
                return Ok(None);
            }
            let condition = row_condition(info, old.as_deref().unwrap_or(new), table, "UPDATE")?;
            Statement {
                sql: format!(
                    "UPDATE {} SET {} WHERE {condition}",
                    info.sql_name,
                    assignments.join(", ")
                ),
                rows: 1,
            }
        }
        Change::Delete { table, old } => {
            let info = info(table)?;
            let old = old.as_deref().ok_or_else(|| no_identity(table, "DELETE"))?;
            let condition = row_condition(info, old, table, "DELETE")?;
            Statement {
                sql: format!("DELETE FROM {} WHERE {condition}", info.sql_name),
                rows: 1,
            }
        }
        Change::Truncate { tables: truncated } => {
            let names = truncated
                .iter()
                .map(|table| info(table).map(|info| info.sql_name.clone()))
                .collect::<Result<Vec<_>, _>>()?;
            Statement {
                sql: format!("TRUNCATE ONLY {}", names.join(", ")),
                rows: 0,
            }
        }
    };
    Ok(Some(statement))
}

fn no_identity(table: &(String, String), action: &str) -> String {
    format!(
        "table {}.{} had an {action} but has no primary key or replica identity, so the row cannot be found again; \
         give it a primary key or run ALTER TABLE ... REPLICA IDENTITY FULL, then take a new full backup",
        table.0, table.1
    )
}

/// The `WHERE` condition that finds the one row a change touched.
fn row_condition(
    info: &TableInfo,
    old: &[Column],
    table: &(String, String),
    action: &str,
) -> Result<String, String> {
    if info.full_identity {
        // Every old value must match; rows can repeat exactly, so one of them is chosen.
        // Comparing the values' text through the column's type works for types without an
        // equality operator (json, point) and for padded `character(n)`.
        let conditions: Vec<String> = old
            .iter()
            .filter(|column| column.value != Value::UnchangedToast)
            .map(|column| match &column.value {
                Value::Null => format!("{} IS NULL", quote(&column.name)),
                value => format!(
                    "{}::text = ({}::{})::text",
                    quote(&column.name),
                    literal(value),
                    column.type_name
                ),
            })
            .collect();
        if conditions.is_empty() {
            return Err(no_identity(table, action));
        }
        return Ok(format!(
            "ctid = (SELECT ctid FROM {} WHERE {} LIMIT 1)",
            info.sql_name,
            conditions.join(" AND ")
        ));
    }
    if info.key.is_empty() {
        return Err(no_identity(table, action));
    }
    let mut conditions = Vec::with_capacity(info.key.len());
    for key in &info.key {
        let column = old
            .iter()
            .find(|column| &column.name == key)
            .ok_or_else(|| format!("{action} on {}: key column {key} is missing", info.sql_name))?;
        conditions.push(match &column.value {
            Value::Text(_) => format!("{} = {}", quote(key), literal(&column.value)),
            _ => format!("{} IS NULL", quote(key)),
        });
    }
    Ok(conditions.join(" AND "))
}

/// A quoted literal (standard-conforming strings: only `'` is doubled).
fn literal(value: &Value) -> String {
    match value {
        Value::Text(text) => format!("'{}'", text.replace('\'', "''")),
        Value::Null | Value::UnchangedToast => "NULL".to_owned(),
    }
}

/// The start of `text`, for an error message: at most `limit` characters.
pub(super) fn excerpt(text: &str, limit: usize) -> String {
    let mut start: String = text.chars().take(limit).collect();
    if start.len() < text.len() {
        start.push_str("...");
    }
    start
}

/// A position in a line being parsed.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(line: &'a str) -> Self {
        Self { rest: line }
    }

    /// Where the cursor is, for an error message.
    fn here(&self) -> String {
        excerpt(self.rest, 40)
    }

    fn eat(&mut self, text: &str) -> bool {
        match self.rest.strip_prefix(text) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, text: &str) -> Result<(), String> {
        if self.eat(text) {
            Ok(())
        } else {
            Err(format!("expected \"{text}\" at \"{}\"", self.here()))
        }
    }

    /// A word of ASCII capitals (`INSERT`).
    fn word(&mut self) -> Result<String, String> {
        let end = self
            .rest
            .find(|c: char| !c.is_ascii_uppercase())
            .unwrap_or(self.rest.len());
        if end == 0 {
            return Err("expected a change type".to_owned());
        }
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        Ok(word.to_owned())
    }

    /// An identifier as `quote_identifier` prints it: bare (`[a-z0-9_]`) or `"quoted"`.
    fn identifier(&mut self) -> Result<String, String> {
        if let Some(quoted) = self.rest.strip_prefix('"') {
            let mut name = String::new();
            let mut chars = quoted.char_indices();
            while let Some((index, c)) = chars.next() {
                if c == '"' {
                    if quoted[index + 1..].starts_with('"') {
                        name.push('"');
                        chars.next();
                    } else {
                        self.rest = &quoted[index + 1..];
                        return Ok(name);
                    }
                } else {
                    name.push(c);
                }
            }
            return Err("an identifier's closing quote is missing".to_owned());
        }
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(self.rest.len());
        if end == 0 {
            return Err(format!("expected an identifier at \"{}\"", self.here()));
        }
        let (name, rest) = self.rest.split_at(end);
        self.rest = rest;
        Ok(name.to_owned())
    }

    fn qualified_name(&mut self) -> Result<(String, String), String> {
        let schema = self.identifier()?;
        self.expect(".")?;
        Ok((schema, self.identifier()?))
    }

    /// ` name[type]:value name[type]:value ...`, or ` (no-tuple-data)` (`None`).
    fn tuple(&mut self) -> Result<Option<Vec<Column>>, String> {
        if self.eat(" (no-tuple-data)") {
            return Ok(None);
        }
        let mut columns = Vec::new();
        while self.rest.starts_with(' ') && !self.rest.starts_with(" new-tuple:") {
            self.rest = &self.rest[1..];
            let name = self.identifier()?;
            self.expect("[")?;
            let end = self
                .rest
                .find("]:")
                .ok_or_else(|| format!("column {name}: its type is not closed"))?;
            let type_name = self.rest[..end].to_owned();
            self.rest = &self.rest[end + 2..];
            let value = self.value()?;
            columns.push(Column {
                name,
                type_name,
                value,
            });
        }
        Ok(Some(columns))
    }

    fn value(&mut self) -> Result<Value, String> {
        if self.eat("null") {
            return Ok(Value::Null);
        }
        if self.eat("unchanged-toast-datum") {
            return Ok(Value::UnchangedToast);
        }
        // Bit strings print as B'101'; the quotes that follow are read as any other.
        if self.rest.starts_with("B'") {
            self.rest = &self.rest[1..];
        }
        if let Some(quoted) = self.rest.strip_prefix('\'') {
            let mut text = String::new();
            let mut rest = quoted;
            loop {
                let end = rest
                    .find('\'')
                    .ok_or_else(|| "a value's closing quote is missing".to_owned())?;
                text.push_str(&rest[..end]);
                rest = &rest[end + 1..];
                if let Some(after) = rest.strip_prefix('\'') {
                    text.push('\'');
                    rest = after;
                } else {
                    self.rest = rest;
                    return Ok(Value::Text(text));
                }
            }
        }
        // Numbers, NaN, Infinity, true and false are printed bare.
        let end = self.rest.find(' ').unwrap_or(self.rest.len());
        let (token, rest) = self.rest.split_at(end);
        self.rest = rest;
        Ok(Value::Text(token.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(key: &[&str], writable: &[&str]) -> TableInfo {
        TableInfo {
            sql_name: "\"public\".\"t\"".to_owned(),
            writable: writable.iter().map(|name| (*name).to_owned()).collect(),
            always_identity: HashSet::new(),
            key: key.iter().map(|name| (*name).to_owned()).collect(),
            full_identity: false,
        }
    }

    fn tables(info: TableInfo) -> Tables {
        HashMap::from([(("public".to_owned(), "t".to_owned()), info)])
    }

    fn sql(line: &str, tables: &Tables) -> Result<Option<String>, String> {
        statement(&parse(line)?, tables).map(|statement| statement.map(|s| s.sql))
    }

    #[test]
    fn quoted_values_keep_their_quotes_backslashes_and_newlines() {
        let change = parse(
            "table public.t: INSERT: id[integer]:1 \"we ird\"[text]:'it''s\n\\x' tags[text[]]:'{a,\"b c\"}' f[double precision]:NaN ok[boolean]:true bits[bit(3)]:B'101' gone[text]:null",
        )
        .unwrap();
        let Change::Insert { table, new } = change else {
            panic!("not an insert: {change:?}")
        };
        assert_eq!(table, ("public".to_owned(), "t".to_owned()));
        let values: Vec<(&str, &str, &Value)> = new
            .iter()
            .map(|column| {
                (
                    column.name.as_str(),
                    column.type_name.as_str(),
                    &column.value,
                )
            })
            .collect();
        assert_eq!(
            values,
            vec![
                ("id", "integer", &Value::Text("1".to_owned())),
                ("we ird", "text", &Value::Text("it's\n\\x".to_owned())),
                ("tags", "text[]", &Value::Text("{a,\"b c\"}".to_owned())),
                ("f", "double precision", &Value::Text("NaN".to_owned())),
                ("ok", "boolean", &Value::Text("true".to_owned())),
                ("bits", "bit(3)", &Value::Text("101".to_owned())),
                ("gone", "text", &Value::Null),
            ]
        );
    }

    #[test]
    fn inserts_leave_out_generated_columns_and_quote_every_value() {
        let tables = tables(table(&["id"], &["id", "name"]));
        assert_eq!(
            sql(
                "table public.t: INSERT: id[integer]:1 name[text]:'O''Hara' double[integer]:2",
                &tables
            ),
            Ok(Some(
                "INSERT INTO \"public\".\"t\" (\"id\", \"name\") VALUES ('1', 'O''Hara')"
                    .to_owned()
            ))
        );
    }

    #[test]
    fn updates_find_the_row_by_its_old_key_when_the_key_changed() {
        let tables = tables(table(&["id"], &["id", "name"]));
        assert_eq!(
            sql(
                "table public.t: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:2 name[text]:'x'",
                &tables
            ),
            Ok(Some(
                "UPDATE \"public\".\"t\" SET \"id\" = '2', \"name\" = 'x' WHERE \"id\" = '1'"
                    .to_owned()
            ))
        );
        assert_eq!(
            sql(
                "table public.t: UPDATE: id[integer]:2 name[text]:unchanged-toast-datum",
                &tables
            ),
            Ok(None),
            "only the key and an unchanged out-of-line value: nothing to set"
        );
        assert_eq!(
            sql(
                "table public.t: UPDATE: id[integer]:2 name[text]:'y'",
                &tables
            ),
            Ok(Some(
                "UPDATE \"public\".\"t\" SET \"name\" = 'y' WHERE \"id\" = '2'".to_owned()
            ))
        );
    }

    #[test]
    fn full_identity_matches_every_old_value_through_its_type() {
        let mut info = table(&[], &["a", "b"]);
        info.full_identity = true;
        assert_eq!(
            sql(
                "table public.t: DELETE: a[integer]:2 b[json]:'{\"x\":1}'",
                &tables(info)
            ),
            Ok(Some(
                "DELETE FROM \"public\".\"t\" WHERE ctid = (SELECT ctid FROM \"public\".\"t\" \
                 WHERE \"a\"::text = ('2'::integer)::text AND \"b\"::text = ('{\"x\":1}'::json)::text LIMIT 1)"
                    .to_owned()
            ))
        );
    }

    #[test]
    fn a_table_without_identity_cannot_replay_updates_or_deletes() {
        let tables = tables(table(&[], &["a"]));
        let error = sql("table public.t: DELETE: (no-tuple-data)", &tables).unwrap_err();
        assert!(error.contains("REPLICA IDENTITY FULL"), "{error}");
        let error = sql("table public.t: UPDATE: a[integer]:1", &tables).unwrap_err();
        assert!(error.contains("no primary key"), "{error}");
        // Inserts need no key.
        assert!(sql("table public.t: INSERT: a[integer]:1", &tables).is_ok());
    }

    #[test]
    fn identity_columns_are_inserted_overriding_and_never_updated() {
        let mut info = table(&["id"], &["id", "v"]);
        info.always_identity.insert("id".to_owned());
        let tables = tables(info);
        assert_eq!(
            sql("table public.t: INSERT: id[integer]:7 v[text]:'x'", &tables),
            Ok(Some(
                "INSERT INTO \"public\".\"t\" (\"id\", \"v\") OVERRIDING SYSTEM VALUE VALUES ('7', 'x')"
                    .to_owned()
            ))
        );
        assert_eq!(
            sql("table public.t: UPDATE: id[integer]:7 v[text]:'y'", &tables),
            Ok(Some(
                "UPDATE \"public\".\"t\" SET \"v\" = 'y' WHERE \"id\" = '7'".to_owned()
            ))
        );
    }

    #[test]
    fn quoted_names_truncates_commits_and_unknown_tables() {
        let change = parse("table \"My Schema\".\"T \"\"x\"\"\": INSERT: a[integer]:1").unwrap();
        assert!(
            matches!(&change, Change::Insert { table, .. } if table == &("My Schema".to_owned(), "T \"x\"".to_owned())),
            "{change:?}"
        );
        assert_eq!(
            parse("table public.a, public.b: TRUNCATE: cascade"),
            Ok(Change::Truncate {
                tables: vec![
                    ("public".to_owned(), "a".to_owned()),
                    ("public".to_owned(), "b".to_owned())
                ]
            })
        );
        assert_eq!(
            parse("COMMIT 735 (at 2026-11-21 23:18:31.299385+00)"),
            Ok(Change::Commit {
                at: Some("2026-11-21 23:18:31.299385+00".to_owned())
            })
        );
        let error = sql(
            "table public.other: INSERT: a[integer]:1",
            &tables(table(&["a"], &["a"])),
        )
        .unwrap_err();
        assert!(error.contains("not in the backup's schema"), "{error}");
        assert!(parse("table public.t: MERGE: x").is_err());
        assert!(parse("table public.t: INSERT: a[integer]:'open").is_err());
    }
}
