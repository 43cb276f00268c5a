//! start, stop, status, cancel, restart, and concurrent starts.

use insta::assert_snapshot;

use crate::support::Tracker;

#[test]
fn the_seeds_own_commands_work_as_written() {
    let mut tracker = Tracker::new();
    tracker.at("2024-01-02T09:00:00+01:00");
    assert_snapshot!("seed_start", tracker.run(&["start", "project1"]));
    tracker.at("2024-01-02T12:30:00+01:00");
    assert_snapshot!(
        "seed_stop_wrong_project",
        tracker.run(&["stop", "project2"])
    );
    assert_snapshot!("seed_stop", tracker.run(&["stop", "project1"]));
    tracker.at("2024-03-06T16:00:00+01:00");
    assert_snapshot!(
        "seed_report",
        tracker.run(&["report", "project1", "since", "1/2/24"])
    );
}

#[test]
fn starting_while_something_runs_stops_it_at_the_same_instant_or_refuses() {
    let tracker = Tracker::new();
    tracker.ok(&["start", "project1", "--at", "9:00"]);
    assert_snapshot!(
        "switch",
        tracker.run(&["start", "project2", "+call", "--at", "10:30"])
    );
    let entries = tracker.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0]["stop"], entries[1]["start"],
        "no gap, no overlap"
    );
    assert_eq!(entries[1]["stop"], serde_json::Value::Null);

    assert_snapshot!(
        "switch_refused_by_flag",
        tracker.run(&["start", "project3", "--refuse"])
    );
    tracker.config("when_running = \"refuse\"\n");
    assert_snapshot!(
        "switch_refused_by_config",
        tracker.run(&["start", "project3"])
    );
    assert_eq!(tracker.entries().len(), 2, "a refused start stores nothing");
    assert_snapshot!(
        "start_inside_a_finished_entry",
        tracker.run(&["stop"]).to_string()
            + &tracker
                .run(&["start", "project3", "--at", "10:00"])
                .to_string()
    );
}

#[test]
fn status_cancel_and_restart_tell_what_runs() {
    let tracker = Tracker::new();
    assert_snapshot!("status_empty", tracker.run(&["status"]));
    assert_snapshot!("restart_empty", tracker.run(&["restart"]));
    tracker.ok(&["add", "project1", "--from", "8:00", "--to", "9:00"]);
    tracker.ok(&[
        "start", "project2", "+design", "+urgent", "--at", "14:15", "--note", "mockups",
    ]);
    assert_snapshot!("status_running", tracker.run(&["status"]));
    assert_snapshot!("status_json", tracker.run(&["status", "--json"]));
    assert_snapshot!("restart_while_running", tracker.run(&["restart"]));
    assert_snapshot!("cancel", tracker.run(&["cancel"]));
    assert_snapshot!("cancel_again", tracker.run(&["cancel"]));
    assert_snapshot!("status_after_cancel", tracker.run(&["status"]));
    tracker.ok(&["start", "project2", "+design", "--at", "14:30"]);
    tracker.ok(&["stop", "--at", "15:00"]);
    assert_snapshot!("restart", tracker.run(&["restart"]));
    let entries = tracker.entries();
    assert_eq!(
        entries.last().unwrap()["tags"],
        serde_json::json!(["design"])
    );
}

#[test]
fn concurrent_starts_never_leave_two_entries_running() {
    for when_running in ["stop", "refuse"] {
        let tracker = Tracker::new();
        tracker.config(&format!("when_running = \"{when_running}\"\n"));
        tracker.ok(&["status"]); // the database exists before the race
        let results: Vec<i32> = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..8)
                .map(|n| {
                    let tracker = &tracker;
                    scope.spawn(move || tracker.run(&["start", &format!("project{n}")]).code)
                })
                .collect();
            runs.into_iter().map(|run| run.join().unwrap()).collect()
        });
        let entries = tracker.entries();
        let running = entries
            .iter()
            .filter(|entry| entry["stop"].is_null())
            .count();
        assert_eq!(running, 1, "{when_running}: {entries:#?}");
        let succeeded = results.iter().filter(|code| **code == 0).count();
        if when_running == "refuse" {
            assert_eq!((succeeded, entries.len()), (1, 1), "{results:?}");
            assert!(
                results.iter().all(|code| *code == 0 || *code == 1),
                "{results:?}"
            );
        } else {
            assert_eq!((succeeded, entries.len()), (8, 8), "{results:?}");
        }
        assert_eq!(tracker.run(&["doctor"]).code, 0, "no overlaps");
    }
}
