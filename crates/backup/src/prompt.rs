//! `--ask-password`: the password typed on the terminal, never echoed, never in the
//! process's arguments or environment.

use std::io::{IsTerminal as _, Write as _};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal;

use crate::error::{BackupError, Result};

/// Asks for a password on the terminal.
pub fn password(prompt: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(BackupError::usage("--ask-password needs a terminal")
            .hint("in scripts, use --password-file or DBBACKUP_PASSWORD"));
    }
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{prompt}");
    let _ = stderr.flush();
    terminal::enable_raw_mode()
        .map_err(|error| BackupError::failed(format!("cannot read the terminal: {error}")))?;
    let typed = read_line();
    let _ = terminal::disable_raw_mode();
    let _ = writeln!(stderr);
    typed
}

/// Keys until Enter; Backspace deletes; Ctrl-C, Ctrl-D and Esc give up.
fn read_line() -> Result<String> {
    let mut typed = String::new();
    loop {
        let key = match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => key,
            Ok(_) => continue,
            Err(error) => {
                return Err(BackupError::failed(format!(
                    "cannot read the terminal: {error}"
                )));
            }
        };
        match key {
            KeyEvent {
                code: KeyCode::Char('c' | 'd'),
                modifiers: KeyModifiers::CONTROL,
                ..
            }
            | KeyEvent {
                code: KeyCode::Esc, ..
            } => return Err(BackupError::usage("no password given")),
            KeyEvent {
                code: KeyCode::Enter,
                ..
            } => return Ok(typed),
            KeyEvent {
                code: KeyCode::Backspace,
                ..
            } => {
                typed.pop();
            }
            KeyEvent {
                code: KeyCode::Char(c),
                ..
            } => typed.push(c),
            _ => {}
        }
    }
}
