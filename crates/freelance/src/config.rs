//! Settings: `config.toml` in the XDG config directory, `FREELANCE_*` variables over it.
//!
//! ```toml
//! date_order = "mdy"          # how 1/2/24 reads: mdy (2 Jan), dmy (1 Feb) or ymd
//! week_start = "monday"       # or "sunday": where `this week` and `--by week` begin
//! timezone = "Europe/Berlin"  # default: the system's (TZ, then /etc/localtime)
//! currency = "EUR"            # for `rate set` without a currency
//! when_running = "stop"       # `start` while something runs: "stop" it first, or "refuse"
//! [rounding]
//! minutes = 15                # each entry's time is rounded to this in reports (0: exact)
//! mode = "up"                 # up | nearest | down
//! ```

use std::path::{Path, PathBuf};

use chrono::Weekday;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::failure::{Failure, Outcome};

/// How a slashed date like `1/2/24` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Month/day/year: `1/2/24` is 2 January 2024 (the default).
    Mdy,
    /// Day/month/year: `1/2/24` is 1 February 2024.
    Dmy,
    /// Year/month/day: `24/1/2` is 2 January 2024.
    Ymd,
}

impl DateOrder {
    /// The order in words, for help and error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Mdy => "month/day/year",
            Self::Dmy => "day/month/year",
            Self::Ymd => "year/month/day",
        }
    }
}

/// The first day of a week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeekStart {
    /// ISO weeks (the default).
    Monday,
    /// US weeks.
    Sunday,
}

impl WeekStart {
    /// As a chrono weekday.
    pub fn weekday(self) -> Weekday {
        match self {
            Self::Monday => Weekday::Mon,
            Self::Sunday => Weekday::Sun,
        }
    }
}

/// What `start` does while another entry is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WhenRunning {
    /// Stop the running entry at the instant the new one starts (the default).
    Stop,
    /// Refuse, naming the running entry.
    Refuse,
}

/// Which way a reported entry's time is rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundMode {
    /// Up to the next multiple (billing's usual rule).
    Up,
    /// To the nearest multiple, halves up.
    Nearest,
    /// Down.
    Down,
}

/// Per-entry rounding in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    /// The step in minutes; 0 or 1 reports exact time.
    pub minutes: u32,
    /// Direction.
    pub mode: RoundMode,
}

impl Rounding {
    /// No rounding.
    pub const EXACT: Self = Self {
        minutes: 0,
        mode: RoundMode::Up,
    };

    /// The step in seconds (1 when exact).
    pub fn step_secs(self) -> i64 {
        i64::from(self.minutes.max(1)) * 60
    }

    /// Rounds a duration in seconds. Exact means exact to the second.
    pub fn apply(self, secs: i64) -> i64 {
        if self.minutes == 0 {
            return secs;
        }
        let step = self.step_secs();
        match self.mode {
            RoundMode::Up => (secs + step - 1).div_euclid(step) * step,
            RoundMode::Nearest => (secs + step / 2).div_euclid(step) * step,
            RoundMode::Down => secs.div_euclid(step) * step,
        }
    }

    /// The same rounding as an SQL expression over `secs` (an integer expression), so that
    /// reports can sum rounded times inside the database. Must agree with [`Rounding::apply`].
    pub fn sql(self, secs: &str) -> String {
        if self.minutes == 0 {
            return secs.to_owned();
        }
        let step = self.step_secs();
        // SQLite's integer division truncates toward zero; pieces are never negative.
        match self.mode {
            RoundMode::Up => format!("((({secs}) + {}) / {step} * {step})", step - 1),
            RoundMode::Nearest => format!("((({secs}) + {}) / {step} * {step})", step / 2),
            RoundMode::Down => format!("(({secs}) / {step} * {step})"),
        }
    }

    /// "rounded up to 15 min per entry", or "exact".
    pub fn describe(self) -> String {
        if self.minutes == 0 {
            return "exact times".to_owned();
        }
        let direction = match self.mode {
            RoundMode::Up => "up to",
            RoundMode::Nearest => "to the nearest",
            RoundMode::Down => "down to",
        };
        format!("rounded {direction} {} min per entry", self.minutes)
    }
}

/// Every setting, after the file and the environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How slashed dates read.
    pub date_order: DateOrder,
    /// First day of the week.
    pub week_start: WeekStart,
    /// An IANA zone name; empty for the system's.
    pub timezone: String,
    /// The currency of rates given without one.
    pub currency: String,
    /// What `start` does while something runs.
    pub when_running: WhenRunning,
    /// Report rounding.
    pub rounding: Rounding,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            date_order: DateOrder::Mdy,
            week_start: WeekStart::Monday,
            timezone: String::new(),
            currency: "EUR".to_owned(),
            when_running: WhenRunning::Stop,
            rounding: Rounding::EXACT,
        }
    }
}

impl Config {
    /// Reads `path` (missing is fine) and `FREELANCE_DATE_ORDER`, `FREELANCE_TIMEZONE`, ... over it.
    pub fn load(path: &Path) -> Outcome<Self> {
        let settings = [
            "date_order",
            "week_start",
            "timezone",
            "currency",
            "when_running",
        ];
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        if path.exists() {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(Env::prefixed("FREELANCE_").only(&settings))
            .extract()
            .map_err(|error| {
                // figment names keys by profile ("default.date_order"); there is one profile.
                let error = error.to_string().replace("key \"default.", "key \"");
                Failure::usage(format!("bad setting in {}: {error}", path.display()))
                    .hint("freelance config shows every setting and where the file is")
            })
    }
}

/// Where the database, the config file and the shell history live.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The SQLite database.
    pub database: PathBuf,
    /// `config.toml`.
    pub config: PathBuf,
    /// The interactive mode's history.
    pub history: PathBuf,
}

impl Paths {
    /// `--db`, else `FREELANCE_DB`, else `$XDG_DATA_HOME/freelance/freelance.db`; the config
    /// from `FREELANCE_CONFIG`, else `$XDG_CONFIG_HOME/freelance/config.toml`.
    pub fn resolve(db_flag: Option<PathBuf>) -> Outcome<Self> {
        let data_dir = xdg_dir("XDG_DATA_HOME", ".local/share").map(|dir| dir.join("freelance"));
        let database = match db_flag.or_else(|| non_empty_env("FREELANCE_DB").map(PathBuf::from)) {
            Some(path) => path,
            None => data_dir.clone()?.join("freelance.db"),
        };
        let config = match non_empty_env("FREELANCE_CONFIG") {
            Some(path) => PathBuf::from(path),
            None => xdg_dir("XDG_CONFIG_HOME", ".config")?.join("freelance/config.toml"),
        };
        // The history is the user's, wherever the database is; beside it without a home.
        let history = data_dir.map_or_else(
            |_| database.with_file_name("freelance-history.txt"),
            |dir| dir.join("history.txt"),
        );
        Ok(Self {
            database,
            config,
            history,
        })
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// `$XDG_*` when set to an absolute path (the spec says to ignore relative ones), else under `$HOME`.
fn xdg_dir(variable: &str, under_home: &str) -> Outcome<PathBuf> {
    if let Some(dir) = non_empty_env(variable).map(PathBuf::from)
        && dir.is_absolute()
    {
        return Ok(dir);
    }
    non_empty_env("HOME")
        .map(|home| Path::new(&home).join(under_home))
        .ok_or_else(|| {
            Failure::failed(format!("neither {variable} nor HOME is set"))
                .hint("pass --db <file> or set FREELANCE_DB")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_follows_its_mode_and_step() {
        let up15 = Rounding {
            minutes: 15,
            mode: RoundMode::Up,
        };
        assert_eq!(up15.apply(1), 900);
        assert_eq!(up15.apply(900), 900);
        assert_eq!(up15.apply(901), 1800);
        let nearest6 = Rounding {
            minutes: 6,
            mode: RoundMode::Nearest,
        };
        assert_eq!(nearest6.apply(179), 0);
        assert_eq!(nearest6.apply(180), 360);
        let down6 = Rounding {
            minutes: 6,
            mode: RoundMode::Down,
        };
        assert_eq!(down6.apply(719), 360);
        assert_eq!(Rounding::EXACT.apply(61), 61);
    }
}
