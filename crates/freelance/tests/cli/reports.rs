//! Reports: rounding, amounts, groupings, midnight and DST, date orders.

use insta::assert_snapshot;

use crate::support::Tracker;

/// Three projects over two weeks, two clients, one rate per client and one per project.
fn billed_tracker() -> Tracker {
    let tracker = Tracker::new();
    tracker.config("[rounding]\nminutes = 15\nmode = \"up\"\n");
    for (project, tags, from, to) in [
        ("site", "+design", "2024-02-26 09:00", "2024-02-26 10:01"),
        ("site", "+dev", "2024-02-26 10:01", "2024-02-26 12:00"),
        ("app", "+dev", "2024-02-27 09:00", "2024-02-27 09:05"),
        ("app", "+design", "2024-03-04 13:00", "2024-03-04 17:59"),
        ("blog", "+writing", "2024-03-05 08:00", "2024-03-05 08:45"),
    ] {
        tracker.ok(&["add", project, tags, "--from", from, "--to", to]);
    }
    tracker.ok(&["assign", "site", "acme"]);
    tracker.ok(&["assign", "app", "acme"]);
    tracker.ok(&["assign", "blog", "self"]);
    tracker.ok(&["rate", "set", "acme", "100", "EUR/h"]);
    tracker.ok(&["rate", "set", "app", "80", "USD/h"]);
    tracker
}

#[test]
fn reports_bill_each_entry_rounded_up_and_group_every_way() {
    let tracker = billed_tracker();
    assert_snapshot!("by_project", tracker.run(&["report"]));
    assert_snapshot!("by_client", tracker.run(&["report", "--by", "client"]));
    assert_snapshot!("by_tag", tracker.run(&["report", "--by", "tag"]));
    assert_snapshot!("by_week", tracker.run(&["report", "--by", "week"]));
    assert_snapshot!(
        "by_day_for_a_client",
        tracker.run(&[
            "report", "acme", "since", "2/26/24", "until", "2/27/24", "--by", "day"
        ])
    );
    assert_snapshot!(
        "by_month_csv",
        tracker.run(&["report", "--by", "month", "--csv"])
    );
    assert_snapshot!(
        "exact_json",
        tracker.run(&["report", "app", "--round", "0", "--json"])
    );
    assert_snapshot!("tag_filter", tracker.run(&["report", "--tag", "design"]));
    assert_snapshot!("range_word", tracker.run(&["report", "last", "week"]));
    assert_snapshot!(
        "empty_range",
        tracker.run(&["report", "since", "2023-01-01", "until", "2023-12-31"])
    );
}

#[test]
fn totals_are_the_same_whichever_way_a_report_is_grouped() {
    let tracker = billed_tracker();
    let total = |by: &str| {
        let report: serde_json::Value =
            serde_json::from_str(&tracker.ok(&["report", "--by", by, "--json"])).unwrap();
        (
            report["total"]["billedSeconds"].clone(),
            report["total"]["amounts"].clone(),
        )
    };
    let by_project = total("project");
    for by in ["client", "tag", "day", "week", "month"] {
        assert_eq!(total(by), by_project, "--by {by}");
    }
}

#[test]
fn day_reports_split_entries_at_midnight_and_across_daylight_saving_changes() {
    let mut tracker = Tracker::new();
    tracker.at("2024-11-01T12:00:00+01:00");
    // 22:00 to 04:00 across the spring change (02:00 → 03:00): 5 real hours, 2 + 3.
    tracker.ok(&[
        "add",
        "night",
        "--from",
        "2024-03-30 22:00",
        "--to",
        "2024-03-31 04:00",
    ]);
    // 23:00 to 04:00 across the autumn change (03:00 → 02:00): 6 real hours, 1 + 5.
    tracker.ok(&[
        "add",
        "night",
        "--from",
        "2024-10-26 23:00",
        "--to",
        "2024-10-27 04:00",
    ]);
    assert_snapshot!("dst_by_day", tracker.run(&["report", "--by", "day"]));
    assert_snapshot!(
        "dst_one_day",
        tracker.run(&["report", "since", "2024-03-31", "until", "2024-03-31"])
    );
}

#[test]
fn a_running_entry_counts_up_to_now() {
    let tracker = Tracker::new();
    tracker.ok(&["start", "project1", "--at", "yesterday 22:00"]);
    assert_snapshot!("running_by_day", tracker.run(&["report", "--by", "day"]));
}

#[test]
fn slashed_dates_follow_the_configured_order_and_are_shown_back() {
    let tracker = Tracker::new();
    tracker.ok(&[
        "add",
        "project1",
        "--from",
        "2024-01-02 09:00",
        "--to",
        "2024-01-02 10:00",
    ]);
    tracker.ok(&[
        "add",
        "project1",
        "--from",
        "2024-02-01 09:00",
        "--to",
        "2024-02-01 11:00",
    ]);
    assert_snapshot!(
        "month_day_year",
        tracker.run(&["report", "since", "1/2/24", "until", "1/2/24"])
    );
    tracker.config("date_order = \"dmy\"\n");
    assert_snapshot!(
        "day_month_year",
        tracker.run(&["report", "since", "1/2/24", "until", "1/2/24"])
    );
    assert_snapshot!("help_names_the_order", tracker.run(&["--help"]));
}

#[test]
fn every_date_form_reads_back_in_the_report_header_in_either_order() {
    // Wednesday 6 March 2024, 16:00 in Berlin.
    let tracker = Tracker::new();
    let cases = [
        (
            "mdy",
            "1/2/24",
            "Tue 2 Jan 2024",
            "2024-01-01T23:00:00+00:00",
        ),
        (
            "dmy",
            "1/2/24",
            "Thu 1 Feb 2024",
            "2024-01-31T23:00:00+00:00",
        ),
        (
            "ymd",
            "24/1/2",
            "Tue 2 Jan 2024",
            "2024-01-01T23:00:00+00:00",
        ),
        (
            "dmy",
            "2024-01-02",
            "Tue 2 Jan 2024",
            "2024-01-01T23:00:00+00:00",
        ),
        ("mdy", "1/2", "Tue 2 Jan 2024", "2024-01-01T23:00:00+00:00"),
        ("dmy", "1/2", "Thu 1 Feb 2024", "2024-01-31T23:00:00+00:00"),
        (
            "mdy",
            "today",
            "Wed 6 Mar 2024",
            "2024-03-05T23:00:00+00:00",
        ),
        (
            "mdy",
            "yesterday",
            "Tue 5 Mar 2024",
            "2024-03-04T23:00:00+00:00",
        ),
        (
            "mdy",
            "monday",
            "Mon 4 Mar 2024",
            "2024-03-03T23:00:00+00:00",
        ),
        (
            "mdy",
            "last week",
            "week of Mon 26 Feb 2024",
            "2024-02-25T23:00:00+00:00",
        ),
        (
            "mdy",
            "this month",
            "March 2024",
            "2024-02-29T23:00:00+00:00",
        ),
        (
            "mdy",
            "3 days ago",
            "Sun 3 Mar 2024",
            "2024-03-02T23:00:00+00:00",
        ),
        (
            "mdy",
            "9:15",
            "Wed 6 Mar 2024 09:15",
            "2024-03-06T08:15:00+00:00",
        ),
        (
            "mdy",
            "5pm yesterday",
            "Tue 5 Mar 2024 17:00",
            "2024-03-05T16:00:00+00:00",
        ),
        (
            "mdy",
            "2024-01-02T09:15",
            "Tue 2 Jan 2024 09:15",
            "2024-01-02T08:15:00+00:00",
        ),
    ];
    for (order, phrase, label, instant) in cases {
        tracker.config(&format!("date_order = \"{order}\"\n"));
        let run = tracker.run(&["report", "since", phrase, "--json"]);
        assert_eq!(run.code, 0, "{phrase} ({order}): {run}");
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            (
                report["range"].as_str().unwrap(),
                report["since"].as_str().unwrap()
            ),
            (format!("since {label} until now").as_str(), instant),
            "{phrase} ({order})"
        );
    }
}
