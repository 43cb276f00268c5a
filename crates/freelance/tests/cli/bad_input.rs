//! Bad input: one line, a hint, exit 1 or 2, nothing lost.

use insta::assert_snapshot;

use crate::support::Tracker;

#[test]
fn unknown_commands_suggest_the_nearest() {
    let tracker = Tracker::new();
    assert_snapshot!("unknown_command", tracker.run(&["strat", "project1"]));
    assert_snapshot!(
        "unknown_flag",
        tracker.run(&["start", "project1", "--att", "9:00"])
    );
    assert_snapshot!(
        "missing_argument",
        tracker.run(&["add", "project1", "--from", "9:00"])
    );
}

#[test]
fn malformed_dates_and_values_are_refused_naming_the_part() {
    let tracker = Tracker::new();
    assert_snapshot!("bad_month", tracker.run(&["report", "since", "13/45/24"]));
    assert_snapshot!("bad_word", tracker.run(&["log", "--since", "yesterdy"]));
    assert_snapshot!(
        "bad_time",
        tracker.run(&["start", "project1", "--at", "25:00"])
    );
    assert_snapshot!(
        "dst_gap",
        tracker.run(&[
            "add",
            "p",
            "--from",
            "2024-03-31 02:30",
            "--to",
            "2024-03-31 04:00"
        ])
    );
    assert_snapshot!("bad_tag", tracker.run(&["start", "project1", "design"]));
    assert_snapshot!("bad_project", tracker.run(&["start", "+design"]));
    assert_snapshot!("unknown_report_name", tracker.run(&["report", "projct1"]));
    assert_snapshot!("stop_nothing", tracker.run(&["stop"]));
    assert_snapshot!(
        "future_at",
        tracker.run(&["start", "project1", "--at", "23:00"])
    );
    tracker.ok(&["start", "project1", "--at", "10:00"]);
    assert_snapshot!("stop_before_start", tracker.run(&["stop", "--at", "9:00"]));
    assert_snapshot!(
        "start_before_running_start",
        tracker.run(&["start", "project2", "--at", "9:30"])
    );
    assert_eq!(tracker.entries().len(), 1);
}

#[test]
fn a_corrupt_or_foreign_database_is_refused_and_left_untouched() {
    let tracker = Tracker::new();
    let garbage = tracker.home().join("garbage.db");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&garbage, &bytes).unwrap();
    let path = garbage.to_str().unwrap();
    assert_snapshot!("corrupt_status", tracker.run(&["--db", path, "status"]));
    assert_snapshot!(
        "corrupt_start",
        tracker.run(&["--db", path, "start", "project1"])
    );
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes, "never overwritten");

    // A valid SQLite file of another program.
    let foreign = tracker.home().join("other.db");
    let made = std::process::Command::new("sqlite3")
        .arg(&foreign)
        .arg("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
        .status();
    if made.is_ok_and(|status| status.success()) {
        let before = std::fs::read(&foreign).unwrap();
        assert_snapshot!(
            "foreign_database",
            tracker.run(&["--db", foreign.to_str().unwrap(), "start", "project1"])
        );
        assert_eq!(std::fs::read(&foreign).unwrap(), before);
    }
}

#[test]
fn a_broken_config_is_named_but_help_still_works() {
    let tracker = Tracker::new();
    tracker.config("date_order = \"backwards\"\n");
    assert_snapshot!("bad_config", tracker.run(&["status"]));
    assert_eq!(tracker.run(&["--help"]).code, 0);
    tracker.config("timezone = \"Mars/Olympus\"\n");
    assert_snapshot!("bad_zone", tracker.run(&["status"]));
    tracker.config("rounding = 15\n");
    assert_snapshot!("bad_rounding", tracker.run(&["status"]));
}

#[test]
fn config_shows_the_settings_in_effect_and_where_the_files_are() {
    let tracker = Tracker::new();
    assert_snapshot!("config_defaults", tracker.run(&["config"]));
    tracker.config(
        "date_order = \"dmy\"\nweek_start = \"sunday\"\ntimezone = \"America/New_York\"\n\
         currency = \"USD\"\nwhen_running = \"refuse\"\n[rounding]\nminutes = 6\nmode = \"nearest\"\n",
    );
    assert_snapshot!("config_file", tracker.run(&["config"]));
}
