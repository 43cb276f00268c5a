//! The interactive mode: the same grammar without the `freelance` word, with history and
//! completion of commands and project names. Reading from a pipe instead of a terminal, it
//! runs one command per line without a prompt, so scripts and tests can drive it.

use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Context as LineContext, Editor, Helper, Highlighter, Hinter, Validator};

use super::{Context, run};
use crate::cli::{Cli, Command};
use crate::failure::{EXIT_FAILURE, Failure};
use crate::store::projects::project_names;

/// Words completed after the command.
const KEYWORDS: [&str; 10] = [
    "since",
    "until",
    "today",
    "yesterday",
    "last",
    "this",
    "week",
    "month",
    "year",
    "--by",
];

/// Runs the interactive mode until `quit` or end of input; the exit code is 1 when reading
/// from a pipe and a command failed.
pub async fn shell(context: &mut Context) -> u8 {
    if std::io::stdin().is_terminal() {
        interactive(context).await;
        0
    } else {
        piped(context).await
    }
}

async fn piped(context: &mut Context) -> u8 {
    let mut code = 0;
    let lines: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .collect();
    for line in lines {
        match execute(context, &line).await {
            Step::Quit => break,
            Step::Done(true) => {}
            Step::Done(false) => code = EXIT_FAILURE,
        }
    }
    code
}

async fn interactive(context: &mut Context) {
    let mut editor: Editor<ShellHelper, DefaultHistory> = match Editor::new() {
        Ok(editor) => editor,
        Err(error) => {
            eprintln!("freelance: cannot start the interactive mode: {error}");
            return;
        }
    };
    let _ = editor.load_history(&context.paths.history);
    println!(
        "freelance interactive mode: commands as on the command line, without \"freelance\" \
         (report project1 since 1/2/24). help lists them; quit leaves."
    );
    loop {
        let projects = match context.store().await {
            Ok(store) => project_names(&mut store.conn).await.unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        editor.set_helper(Some(ShellHelper { projects }));
        match editor.readline("freelance> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if let Step::Quit = execute(context, &line).await {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {}
            Err(_) => break,
        }
    }
    if let Some(dir) = context.paths.history.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = editor.save_history(&context.paths.history);
}

enum Step {
    Done(bool),
    Quit,
}

/// Runs one line; prints its output or its failure.
async fn execute(context: &mut Context, line: &str) -> Step {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Step::Done(true);
    }
    if matches!(line, "quit" | "exit" | "q") {
        return Step::Quit;
    }
    let words = match split_words(line) {
        Ok(words) => words,
        Err(failure) => return report_failure(&failure),
    };
    let arguments = std::iter::once("freelance".to_owned()).chain(words);
    let cli = match Cli::command_with_help(&context.paths, context.calendar.order)
        .try_get_matches_from(arguments)
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(error) => {
            return match crate::clap_outcome(&error) {
                Ok(text) => {
                    print!("{text}");
                    Step::Done(true)
                }
                Err(failure) => report_failure(&failure),
            };
        }
    };
    if cli.db.is_some() && std::env::var_os("FREELANCE_DB").is_none() {
        return report_failure(
            &Failure::usage("--db cannot change inside the interactive mode")
                .hint("quit, then start freelance --db <file>"),
        );
    }
    let Some(command) = cli.command else {
        return Step::Done(true);
    };
    if let Command::Shell = command {
        return report_failure(
            &Failure::usage("already in the interactive mode")
                .hint("type commands without the freelance word; quit leaves"),
        );
    }
    // "now" moves on between commands (unless FREELANCE_NOW pins it).
    if let Ok(calendar) = crate::when::Calendar::from_config(&context.config) {
        context.calendar = calendar;
    }
    let mut stdout = std::io::stdout();
    let outcome = run(context, command, &mut stdout).await;
    let _ = stdout.flush();
    match outcome {
        Ok(()) => Step::Done(true),
        Err(failure) => report_failure(&failure),
    }
}

fn report_failure(failure: &Failure) -> Step {
    eprintln!("{failure}");
    Step::Done(false)
}

/// Splits a line like a shell: spaces separate words, quotes group them, `\` escapes.
pub fn split_words(line: &str) -> Result<Vec<String>, Failure> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(Failure::usage("a quote is not closed").hint("close it, or escape it with \\"));
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Completion of commands (first word) and project names and date words (later words).
#[derive(Helper, Hinter, Highlighter, Validator)]
struct ShellHelper {
    projects: Vec<String>,
}

impl Completer for ShellHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _context: &LineContext<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let start = before
            .rfind(char::is_whitespace)
            .map_or(0, |index| index + 1);
        let prefix = before[start..].to_lowercase();
        let candidates: Vec<Cow<'_, str>> = if before[..start].trim().is_empty() {
            command_names().into_iter().map(Cow::Owned).collect()
        } else {
            self.projects
                .iter()
                .map(|name| Cow::Borrowed(name.as_str()))
                .chain(KEYWORDS.iter().map(|word| Cow::Borrowed(*word)))
                .collect()
        };
        let matches = candidates
            .into_iter()
            .filter(|candidate| candidate.to_lowercase().starts_with(&prefix))
            .map(|candidate| {
                if candidate.contains(' ') {
                    format!("\"{candidate}\"")
                } else {
                    candidate.into_owned()
                }
            })
            .collect();
        Ok((start, matches))
    }
}

/// Every command's name, plus the shell's own words.
fn command_names() -> Vec<String> {
    let mut names: Vec<String> = Cli::command_plain()
        .get_subcommands()
        .map(|command| command.get_name().to_owned())
        .filter(|name| name != "shell")
        .collect();
    names.extend(["quit".to_owned()]);
    names
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn lines_split_like_a_shell() {
        let words = split_words(r#"start "Acme site" +design --note "it's \"done\"" a\ b 'x y'"#)
            .unwrap_or_default();
        assert_eq!(
            words,
            [
                "start",
                "Acme site",
                "+design",
                "--note",
                "it's \"done\"",
                "a b",
                "x y"
            ]
        );
        assert!(split_words("start \"open").is_err());
        assert_eq!(split_words("  ").unwrap_or_default(), Vec::<String>::new());
    }
}
