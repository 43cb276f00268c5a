//! `projects`, `clients`, `assign`, `rate set`, `rate list`.

use std::io::Write;

use serde_json::json;

use super::{Context, emit, emit_json};
use crate::cli::{AssignArgs, RateCommand, RateSetArgs};
use crate::failure::{Failure, Outcome};
use crate::format::{duration, money, table};
use crate::store::entries::utc;
use crate::store::projects::{self, Rate, RateTarget};

/// `freelance projects [--json]`.
pub async fn projects(context: &mut Context, json: bool, out: &mut dyn Write) -> Outcome {
    let calendar = context.calendar.clone();
    let store = context.store().await?;
    let listed = projects::list_projects(&mut store.conn).await?;
    if json {
        let rows: Vec<_> = listed
            .iter()
            .map(|project| {
                json!({
                    "name": project.name,
                    "client": project.client,
                    "rate": project.rate().as_ref().map(rate_json),
                    "entries": project.entries,
                    "seconds": project.seconds,
                    "lastStart": project.last_start.map(|start| utc(start).to_rfc3339()),
                })
            })
            .collect();
        return emit_json(out, &serde_json::Value::Array(rows));
    }
    if listed.is_empty() {
        return emit(
            out,
            "No projects yet: freelance start <project> makes one.\n",
        );
    }
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(|project| {
            vec![
                project.name.clone(),
                project.client.clone().unwrap_or_default(),
                rate_cell(project.rate().as_ref()),
                project.entries.to_string(),
                duration(project.seconds),
                project
                    .last_start
                    .map(|start| calendar.label_date(calendar.date_of(utc(start))))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    emit(
        out,
        &table(
            &[
                "project",
                "client",
                "rate",
                "entries",
                "time",
                "last worked",
            ],
            &[false, false, true, true, true, false],
            &rows,
        ),
    )
}

/// `freelance clients [--json]`.
pub async fn clients(context: &mut Context, json: bool, out: &mut dyn Write) -> Outcome {
    let store = context.store().await?;
    let listed = projects::list_clients(&mut store.conn).await?;
    if json {
        let rows: Vec<_> = listed
            .iter()
            .map(|client| {
                json!({
                    "name": client.name,
                    "rate": client.rate().as_ref().map(rate_json),
                    "projects": client.projects.as_deref().map(|names| names.split(", ").collect::<Vec<_>>()).unwrap_or_default(),
                })
            })
            .collect();
        return emit_json(out, &serde_json::Value::Array(rows));
    }
    if listed.is_empty() {
        return emit(
            out,
            "No clients yet: freelance assign <project> <client> makes one.\n",
        );
    }
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(|client| {
            vec![
                client.name.clone(),
                rate_cell(client.rate().as_ref()),
                client.projects.clone().unwrap_or_default(),
            ]
        })
        .collect();
    emit(
        out,
        &table(
            &["client", "rate", "projects"],
            &[false, true, false],
            &rows,
        ),
    )
}

/// `freelance assign <project> <client>`.
pub async fn assign(context: &mut Context, args: AssignArgs, out: &mut dyn Write) -> Outcome {
    let store = context.store().await?;
    projects::assign(&mut store.conn, &args.project, &args.client).await?;
    emit(
        out,
        &format!(
            "{} is now a project of {}\n",
            args.project.trim(),
            args.client.trim()
        ),
    )
}

/// `freelance rate set ...` and `freelance rate list`.
pub async fn rate(context: &mut Context, command: RateCommand, out: &mut dyn Write) -> Outcome {
    match command {
        RateCommand::Set(args) => set_rate(context, args, out).await,
        RateCommand::List(args) => {
            let store = context.store().await?;
            let billing = projects::billing(&mut store.conn).await?;
            if args.json {
                let rows: Vec<_> = billing
                    .iter()
                    .map(|project| {
                        json!({
                            "project": project.name,
                            "client": project.client,
                            "rate": project.rate.as_ref().map(rate_json),
                        })
                    })
                    .collect();
                return emit_json(out, &serde_json::Value::Array(rows));
            }
            let mut rows: Vec<Vec<String>> = billing
                .iter()
                .map(|project| {
                    vec![
                        project.name.clone(),
                        project.client.clone().unwrap_or_default(),
                        rate_cell(project.rate.as_ref()),
                    ]
                })
                .collect();
            rows.sort_by_key(|row| row[0].to_lowercase());
            emit(
                out,
                &table(
                    &["project", "client", "billed at"],
                    &[false, false, true],
                    &rows,
                ),
            )
        }
    }
}

async fn set_rate(context: &mut Context, args: RateSetArgs, out: &mut dyn Write) -> Outcome {
    let rate = parse_rate(&args.rate.join(" "), &context.config.currency)?;
    let target = match (args.project, args.client) {
        (true, _) => Some(RateTarget::Project),
        (_, true) => Some(RateTarget::Client),
        _ => None,
    };
    let store = context.store().await?;
    let target = projects::set_rate(&mut store.conn, &args.name, target, &rate).await?;
    let kind = match target {
        RateTarget::Project => "project",
        RateTarget::Client => "client",
    };
    emit(
        out,
        &format!(
            "{} ({kind}) is billed at {}\n",
            args.name.trim(),
            rate_text(&rate)
        ),
    )
}

/// A rate for a table cell; `-` without one.
fn rate_cell(rate: Option<&Rate>) -> String {
    rate.map_or_else(|| "-".to_owned(), rate_text)
}

fn rate_text(rate: &Rate) -> String {
    format!("{} {}/h", money(rate.cents_per_hour), rate.currency)
}

fn rate_json(rate: &Rate) -> serde_json::Value {
    json!({"amount": money(rate.cents_per_hour), "cents": rate.cents_per_hour, "currency": rate.currency, "per": "hour"})
}

/// `85 EUR/h`, `85EUR/h`, `€85/h`, `85.50 usd`, `85` (in the default currency).
pub fn parse_rate(text: &str, default_currency: &str) -> Outcome<Rate> {
    let bad = |why: &str| {
        Failure::usage(format!("could not read \"{text}\" as a rate: {why}"))
            .hint("write it like 85 EUR/h, 85.50 USD/h or 85 (in the configured currency)")
    };
    let compact: String = text.split_whitespace().collect::<String>().to_uppercase();
    let compact = ["/HOUR", "/HR", "/H"]
        .iter()
        .find_map(|suffix| compact.strip_suffix(suffix))
        .unwrap_or(&compact)
        .to_owned();
    let symbols = [("€", "EUR"), ("$", "USD"), ("£", "GBP")];
    let mut currency: Option<String> = None;
    let mut number = compact.as_str();
    for (symbol, code) in symbols {
        if let Some(rest) = number
            .strip_prefix(symbol)
            .or_else(|| number.strip_suffix(symbol))
        {
            currency = Some(code.to_owned());
            number = rest;
        }
    }
    let split = number
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(number.len());
    let (amount, code) = number.split_at(split);
    let cents = parse_cents(amount)
        .ok_or_else(|| bad("the amount should be a number with at most 2 decimals"))?;
    if !code.is_empty() {
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad("the currency should be a 3-letter code like EUR"));
        }
        currency = Some(code.to_owned());
    }
    if cents <= 0 || cents > 100_000_000 {
        return Err(bad(
            "the amount should be more than 0 and at most 1,000,000",
        ));
    }
    Ok(Rate {
        cents_per_hour: cents,
        currency: currency.unwrap_or_else(|| default_currency.to_uppercase()),
    })
}

fn parse_cents(amount: &str) -> Option<i64> {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn rates_read_in_the_usual_spellings() {
        for (text, cents, currency) in [
            ("85 EUR/h", 8500, "EUR"),
            ("85EUR/h", 8500, "EUR"),
            ("€85/h", 8500, "EUR"),
            ("85.5 usd/hour", 8550, "USD"),
            ("120", 12000, "CHF"),
            ("$99.99", 9999, "USD"),
        ] {
            let rate = parse_rate(text, "chf").unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(
                (rate.cents_per_hour, rate.currency.as_str()),
                (cents, currency),
                "{text}"
            );
        }
        for bad in ["", "abc", "85 EURO/h", "85.123", "-5", "0", "1e3"] {
            assert!(parse_rate(bad, "EUR").is_err(), "{bad} should be refused");
        }
    }
}
