//! Progress on a terminal: a bar over the tables, with the table being read or written and
//! its rows so far. Nothing is drawn when stderr is not a terminal (scripts, logs, `--json`).

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// The bar, or nothing.
pub struct Progress {
    bar: ProgressBar,
    rows: u64,
    table: String,
}

impl Progress {
    /// A bar over `tables` tables, labelled with what is being done ("backing up").
    pub fn tables(tables: usize, doing: &str, quiet: bool) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(tables as u64);
            let style = ProgressStyle::with_template(&format!(
                "{doing} [{{bar:30}}] {{pos}}/{{len}} tables {{msg}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        };
        Self {
            bar,
            rows: 0,
            table: String::new(),
        }
    }

    /// A table starts.
    pub fn start(&mut self, table: &str) {
        self.table = table.to_owned();
        self.rows = 0;
        self.bar.set_message(table.to_owned());
    }

    /// A row went by (the message is updated every 10,000 rows).
    pub fn row(&mut self) {
        self.rows += 1;
        if self.rows.is_multiple_of(10_000) {
            self.bar
                .set_message(format!("{}: {} rows", self.table, self.rows));
        }
    }

    /// The table is done.
    pub fn done(&self) {
        self.bar.inc(1);
    }

    /// Everything is done: the bar goes away.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
