//! log, add, edit, delete, projects, clients, assign, rate.

use insta::assert_snapshot;

use crate::support::Tracker;

#[test]
fn entries_are_added_listed_edited_and_deleted_by_id() {
    let tracker = Tracker::new();
    assert_snapshot!(
        "add",
        tracker.run(&[
            "add",
            "project1",
            "+meeting",
            "--from",
            "yesterday 14:00",
            "--to",
            "yesterday 15:30",
            "--note",
            "kickoff, with \"Acme\""
        ])
    );
    tracker.ok(&[
        "add",
        "project2",
        "--from",
        "monday 9:00",
        "--to",
        "monday 12:00",
    ]);
    tracker.ok(&[
        "add",
        "project1",
        "--from",
        "1/2/24 9:00",
        "--to",
        "1/2/24 17:00",
    ]);
    assert_snapshot!(
        "add_overlapping",
        tracker.run(&[
            "add",
            "project3",
            "--from",
            "yesterday 15:00",
            "--to",
            "yesterday 16:00"
        ])
    );
    assert_snapshot!(
        "add_backwards",
        tracker.run(&["add", "project3", "--from", "15:00", "--to", "14:00"])
    );
    assert_snapshot!(
        "add_future",
        tracker.run(&[
            "add",
            "project3",
            "--from",
            "15:00",
            "--to",
            "tomorrow 9:00"
        ])
    );
    assert_snapshot!("log_default_last_7_days", tracker.run(&["log"]));
    assert_snapshot!("log_all", tracker.run(&["log", "--all"]));
    assert_snapshot!(
        "log_filtered",
        tracker.run(&["log", "--all", "--project", "project1", "--tag", "+meeting"])
    );
    assert_snapshot!(
        "log_range",
        tracker.run(&["log", "--since", "1/1/24", "--until", "1/31/24"])
    );
    assert_snapshot!(
        "log_json",
        tracker.run(&[
            "log",
            "--since",
            "yesterday",
            "--until",
            "yesterday",
            "--json"
        ])
    );

    // A bare time in edit is on the entry's own day.
    assert_snapshot!(
        "edit_stop",
        tracker.run(&["edit", "3", "--stop", "18:00", "--note", "long day"])
    );
    assert_snapshot!(
        "edit_move",
        tracker.run(&["edit", "#1", "--project", "project2", "--note", ""])
    );
    assert_snapshot!(
        "edit_tags",
        tracker.run(&[
            "edit", "1", "--tag", "billable", "--tag", "+call", "--untag", "meeting"
        ])
    );
    assert_snapshot!(
        "edit_bad_tag",
        tracker.run(&["edit", "1", "--tag", "two words"])
    );
    assert_snapshot!(
        "edit_backwards",
        tracker.run(&["edit", "1", "--stop", "13:00"])
    );
    assert_snapshot!(
        "edit_overlap",
        tracker.run(&["edit", "2", "--stop", "yesterday 14:30"])
    );
    assert_snapshot!("edit_nothing", tracker.run(&["edit", "1"]));
    assert_snapshot!("edit_missing", tracker.run(&["edit", "99", "--note", "x"]));
    assert_snapshot!("delete", tracker.run(&["delete", "2"]));
    assert_snapshot!("delete_again", tracker.run(&["delete", "2"]));
    assert_snapshot!("delete_bad_id", tracker.run(&["delete", "two"]));
    assert_eq!(tracker.entries().len(), 2);
}

#[test]
fn projects_clients_and_rates_decide_what_is_billed() {
    let tracker = Tracker::new();
    assert_snapshot!("projects_empty", tracker.run(&["projects"]));
    tracker.ok(&[
        "add",
        "site",
        "--from",
        "monday 9:00",
        "--to",
        "monday 11:00",
    ]);
    tracker.ok(&[
        "add",
        "app",
        "--from",
        "tuesday 9:00",
        "--to",
        "tuesday 10:30",
    ]);
    tracker.ok(&[
        "add",
        "internal",
        "--from",
        "tuesday 11:00",
        "--to",
        "tuesday 11:20",
    ]);
    assert_snapshot!("assign", tracker.run(&["assign", "site", "acme"]));
    tracker.ok(&["assign", "app", "acme"]);
    assert_snapshot!(
        "rate_client",
        tracker.run(&["rate", "set", "acme", "90", "EUR/h"])
    );
    assert_snapshot!(
        "rate_project",
        tracker.run(&["rate", "set", "app", "120EUR/h"])
    );
    assert_snapshot!(
        "rate_unknown",
        tracker.run(&["rate", "set", "nobody", "90"])
    );
    assert_snapshot!(
        "rate_bad",
        tracker.run(&["rate", "set", "app", "ninety", "EUR/h"])
    );
    tracker.ok(&["assign", "acme", "acme"]);
    assert_snapshot!(
        "rate_ambiguous",
        tracker.run(&["rate", "set", "acme", "10"])
    );
    tracker.ok(&["rate", "set", "--client", "acme", "95"]);
    assert_snapshot!("projects", tracker.run(&["projects"]));
    assert_snapshot!("projects_json", tracker.run(&["projects", "--json"]));
    assert_snapshot!("clients", tracker.run(&["clients"]));
    assert_snapshot!("rate_list", tracker.run(&["rate", "list"]));
    assert_snapshot!("report_with_rates", tracker.run(&["report", "this week"]));
}
