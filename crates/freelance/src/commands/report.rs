//! `freelance report [project|client ...] [since WHEN] [until WHEN] [--by ...] [--json|--csv]`.
//!
//! The seed's own form, `report project1 since 1/2/24`, is positional: names first, then
//! `since` and `until` phrases, or a range alone (`report acme last month`).

use std::io::Write;

use super::{Context, emit};
use crate::cli::ReportArgs;
use crate::config::Rounding;
use crate::failure::{Failure, Outcome};
use crate::report::{self, Request, render_csv, render_json, render_text};
use crate::store::projects;
use crate::when::Span;

/// The words of a report command, sorted into names and range phrases.
#[derive(Debug, Default, PartialEq, Eq)]
struct Words {
    head: Vec<String>,
    since: Option<String>,
    until: Option<String>,
}

fn split_words(words: &[String]) -> Outcome<Words> {
    let mut sorted = Words::default();
    let mut current: Option<&str> = None;
    let mut phrase: Vec<String> = Vec::new();
    let finish = |keyword: Option<&str>, phrase: &mut Vec<String>, sorted: &mut Words| -> Outcome {
        let text = phrase.join(" ");
        phrase.clear();
        let slot = match keyword {
            None => return Ok(()),
            Some("since") => &mut sorted.since,
            Some(_) => &mut sorted.until,
        };
        if text.is_empty() {
            return Err(Failure::usage(format!(
                "\"{}\" needs a date after it",
                keyword.unwrap_or_default()
            ))
            .hint("for example: report project1 since 1/2/24 until yesterday"));
        }
        if slot.replace(text).is_some() {
            return Err(Failure::usage(format!(
                "\"{}\" is given twice",
                keyword.unwrap_or_default()
            ))
            .hint("for example: report project1 since 1/2/24 until yesterday"));
        }
        Ok(())
    };
    for word in words {
        let lowered = word.to_lowercase();
        if matches!(lowered.as_str(), "since" | "from" | "until" | "to") {
            finish(current, &mut phrase, &mut sorted)?;
            current = Some(if matches!(lowered.as_str(), "since" | "from") {
                "since"
            } else {
                "until"
            });
        } else if current.is_some() {
            phrase.push(word.clone());
        } else {
            sorted.head.push(word.clone());
        }
    }
    finish(current, &mut phrase, &mut sorted)?;
    Ok(sorted)
}

/// `freelance report ...`.
pub async fn report(context: &mut Context, args: ReportArgs, out: &mut dyn Write) -> Outcome {
    let words = split_words(&args.words)?;
    let calendar = context.calendar.clone();
    let rounding = match args.round {
        Some(minutes) if minutes > 24 * 60 => {
            return Err(Failure::usage("--round is in minutes, at most 1440").hint(
                "--round 15 rounds each entry to 15 minutes; --round 0 reports exact times",
            ));
        }
        Some(minutes) => Rounding {
            minutes,
            mode: context.config.rounding.mode,
        },
        None => context.config.rounding,
    };
    let store = context.store().await?;
    // Leading words that name a project or a client select it; the rest is a range.
    let mut project_ids = Vec::new();
    let mut names = Vec::new();
    let mut rest = words.head.as_slice();
    while let Some(word) = rest.first() {
        if let Some(id) = projects::find_project(&mut store.conn, word).await? {
            project_ids.push(id);
        } else if let Some(client) = projects::find_client(&mut store.conn, word).await? {
            project_ids.extend(projects::projects_of_client(&mut store.conn, client).await?);
            if project_ids.is_empty() {
                // A client without projects selects nothing, not everything.
                project_ids.push(0);
            }
        } else {
            break;
        }
        names.push(word.clone());
        rest = &rest[1..];
    }
    let range: Option<Span> = if rest.is_empty() {
        None
    } else {
        let text = rest.join(" ");
        match calendar.span(&text) {
            Ok(span) => Some(span),
            Err(_) if names.is_empty() && rest.len() == 1 => {
                return Err(unknown_name(&mut store.conn, &rest[0]).await?);
            }
            Err(error) => return Err(error),
        }
    };
    if range.is_some() && (words.since.is_some() || words.until.is_some()) {
        return Err(
            Failure::usage("give a range (\"last month\") or since/until, not both")
                .hint("report acme last month, or report acme since 1/2/24 until 1/31/24"),
        );
    }
    let since = match &words.since {
        Some(text) => Some(calendar.span(text)?),
        None => range.clone(),
    };
    let until = match &words.until {
        Some(text) => Some(calendar.span(text)?),
        None => range.clone(),
    };
    let range_label = match (&range, &since, &until) {
        (Some(range), _, _) => format!("for {}", range.label),
        (None, Some(since), Some(until)) => format!("since {} until {}", since.label, until.label),
        (None, Some(since), None) => format!("since {} until now", since.label),
        (None, None, Some(until)) => format!("until {}", until.label),
        (None, None, None) => "all time until now".to_owned(),
    };
    let mut scope: Vec<String> = names;
    if let Some(tag) = &args.tag {
        scope.push(format!("+{}", tag.trim_start_matches('+')));
    }
    let request = Request {
        since: since.map(|span| span.start.timestamp()),
        until: until.map(|span| {
            span.end
                .timestamp()
                .min(calendar.now.timestamp().max(span.start.timestamp()))
        }),
        projects: project_ids,
        tag: args
            .tag
            .as_deref()
            .map(|tag| tag.trim_start_matches('+').to_owned()),
        by: args.by,
        rounding,
    };
    let scope = (!scope.is_empty()).then(|| scope.join(", "));
    let report = report::run(&mut store.conn, &calendar, &request, (range_label, scope)).await?;
    let text = if args.json {
        render_json(&report)
    } else if args.csv {
        render_csv(&report)
    } else {
        render_text(&report)
    };
    emit(out, &text)
}

/// "no project or client named ..." with the nearest name as a hint.
async fn unknown_name(conn: &mut sqlx::SqliteConnection, word: &str) -> Outcome<Failure> {
    let names = projects::project_names(conn).await?;
    let nearest = names
        .iter()
        .map(|name| {
            (
                strsim::levenshtein(&word.to_lowercase(), &name.to_lowercase()),
                name,
            )
        })
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance);
    let failure = Failure::failed(format!("\"{word}\" is not a project, a client or a date"));
    Ok(match nearest {
        Some((_, name)) => failure.hint(format!(
            "did you mean {name}? freelance projects lists them all"
        )),
        None => failure.hint(
            "freelance projects lists the projects; dates look like 1/2/24 or \"last month\"",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn report_words_split_into_names_and_phrases() {
        let sorted =
            split_words(&words("project1 since 1/2/24 until last week")).unwrap_or_default();
        assert_eq!(sorted.head, ["project1"]);
        assert_eq!(sorted.since.as_deref(), Some("1/2/24"));
        assert_eq!(sorted.until.as_deref(), Some("last week"));
        assert!(split_words(&words("project1 since")).is_err());
        assert!(split_words(&words("since today since yesterday")).is_err());
    }
}
