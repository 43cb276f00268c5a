//! How durations, amounts, tables and CSV fields are written.

/// `7h 05m`; `0h 00m` for nothing. Seconds are dropped (a report's rounding covers them).
pub fn duration(secs: i64) -> String {
    let minutes = secs.max(0) / 60;
    format!("{}h {:02}m", minutes / 60, minutes % 60)
}

/// Decimal hours with two places, for scripts: `7.08`.
pub fn hours(secs: i64) -> String {
    format!("{:.2}", secs as f64 / 3600.0)
}

/// `1041.25`: minor units as a decimal amount.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// Amounts in several currencies: `1041.25 EUR + 40.00 USD`.
pub fn amounts<'a>(amounts: impl IntoIterator<Item = (&'a String, &'a i64)>) -> String {
    amounts
        .into_iter()
        .map(|(currency, cents)| format!("{} {currency}", money(*cents)))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A field for CSV (RFC 4180): quoted when it holds a comma, quote or line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A CSV record.
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    fields
        .iter()
        .map(|field| csv_field(field.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Left-aligned text columns and right-aligned numeric ones, two spaces apart.
pub fn table(header: &[&str], right_aligned: &[bool], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
        let mut out = String::new();
        for (index, cell) in cells.enumerate() {
            let width = widths.get(index).copied().unwrap_or(0);
            let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
            if index > 0 {
                out.push_str("  ");
            }
            if right_aligned.get(index).copied().unwrap_or(false) {
                out.push_str(&pad);
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&pad);
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(&mut header.iter().copied());
    out.push('\n');
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_money_and_csv_read_as_expected() {
        assert_eq!(duration(7 * 3600 + 5 * 60 + 59), "7h 05m");
        assert_eq!(duration(0), "0h 00m");
        assert_eq!(hours(5400), "1.50");
        assert_eq!(money(104_125), "1041.25");
        assert_eq!(money(-5), "-0.05");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn tables_align_their_columns() {
        let out = table(
            &["name", "time"],
            &[false, true],
            &[
                vec!["a".into(), "10h 00m".into()],
                vec!["longer".into(), "1h 00m".into()],
            ],
        );
        assert_eq!(out, "name       time\na       10h 00m\nlonger   1h 00m\n");
    }
}
