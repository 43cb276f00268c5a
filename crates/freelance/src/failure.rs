//! What a command that did not work tells the user: one line, a hint, an exit code.

use std::fmt;

/// Exit code for a command that was understood but could not be done.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for a command that was not understood (bad arguments, bad dates).
pub const EXIT_USAGE: u8 = 2;

/// A failed command: printed as `freelance: <message>` and `hint: <hint>` on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One line saying what went wrong.
    pub message: String,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
    /// [`EXIT_FAILURE`] or [`EXIT_USAGE`].
    pub code: u8,
}

impl Failure {
    /// The command could not be done (nothing running, no such entry, a refused overlap).
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: EXIT_FAILURE,
        }
    }

    /// The command was not understood (a malformed date, an unknown word).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: EXIT_USAGE,
        }
    }

    /// Adds the hint line.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "freelance: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        const SQLITE_CORRUPT: i64 = 11;
        const SQLITE_NOTADB: i64 = 26;
        let primary_code = error
            .as_database_error()
            .and_then(|db| db.code())
            .and_then(|code| code.parse::<i64>().ok())
            .map(|code| code & 0xff);
        if matches!(primary_code, Some(SQLITE_CORRUPT | SQLITE_NOTADB)) {
            return Self::failed(format!("the database file is damaged: {error}")).hint(
                "nothing was written; restore the file from a backup, or pass --db <new file>",
            );
        }
        Self::failed(format!("database error: {error}"))
    }
}

/// What every command returns.
pub type Outcome<T = ()> = Result<T, Failure>;
