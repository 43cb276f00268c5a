//! Errors a user sees: one line, a hint, exit code 1 (2 for a command not understood).

use std::fmt;

/// A failed command.
#[derive(Debug)]
pub struct BackupError {
    /// What went wrong, in one line.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// 1: could not be done; 2: not understood.
    pub code: u8,
}

impl BackupError {
    /// The work could not be done.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: 1,
        }
    }

    /// The command was not understood.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            ..Self::failed(message)
        }
    }

    /// Adds a hint line.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An I/O error on a named file.
    pub fn io(what: &str, path: &std::path::Path, error: &std::io::Error) -> Self {
        let hint = match error.kind() {
            std::io::ErrorKind::PermissionDenied => {
                Some("check the permissions of the destination")
            }
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge => Some(
                "free some space or choose another --dest; the partial backup is marked failed",
            ),
            std::io::ErrorKind::NotFound => Some("check the path"),
            _ => None,
        };
        let failure = Self::failed(format!("cannot {what} {}: {error}", path.display()));
        match hint {
            Some(hint) => failure.hint(hint),
            None => failure,
        }
    }
}

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dbbackup: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BackupError {}

impl From<sqlx::Error> for BackupError {
    fn from(error: sqlx::Error) -> Self {
        let message = error
            .as_database_error()
            .map_or_else(|| error.to_string(), |db| db.message().to_owned());
        Self::failed(format!("database error: {message}"))
    }
}

/// What every step returns.
pub type Result<T = (), E = BackupError> = std::result::Result<T, E>;
