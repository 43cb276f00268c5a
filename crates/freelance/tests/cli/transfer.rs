//! Watson import, export, doctor.

use insta::assert_snapshot;

use crate::support::Tracker;

const FRAMES: &str = r#"[
  [1704182400, 1704186000, "project1", "a1", ["design"], 1704186000],
  [1704186000, 1704193200, "project2", "a2", [], 1704193200],
  [1704268800, 1704272400, "project1", "a3", ["dev", "urgent"], 1704272400],
  [1704270000, 1704271000, "project3", "a4", [], 1704271000],
  [1704300000, 1704290000, "broken", "a5", [], 1704300000]
]"#;

#[test]
fn watson_frames_import_once_and_export_as_json_and_csv() {
    let tracker = Tracker::new();
    let frames = tracker.home().join("frames");
    std::fs::write(&frames, FRAMES).unwrap();
    let path = frames.to_str().unwrap();
    assert_snapshot!("import", tracker.run(&["import", "--from", "watson", path]));
    assert_snapshot!(
        "import_again",
        tracker.run(&["import", "--from", "watson", path])
    );
    assert_eq!(tracker.entries().len(), 4);
    assert_snapshot!("export_csv", tracker.run(&["export", "--csv"]));
    assert_snapshot!(
        "export_json",
        tracker.run(&["export", "--since", "2024-01-03"])
    );
    // Frame a4 overlaps a3: Watson allowed it, doctor reports it.
    assert_snapshot!("doctor", tracker.run(&["doctor"]));
}

#[test]
fn a_file_that_is_not_watson_frames_is_refused_whole() {
    let tracker = Tracker::new();
    let frames = tracker.home().join("frames");
    std::fs::write(
        &frames,
        r#"[[1704182400, 1704186000, "p", "a1", []], {"oops": 1}]"#,
    )
    .unwrap();
    assert_snapshot!(
        "import_malformed",
        tracker.run(&["import", "--from", "watson", frames.to_str().unwrap()])
    );
    assert_snapshot!(
        "import_missing",
        tracker.run(&["import", "--from", "watson", "/nonexistent/frames"])
    );
    assert_snapshot!(
        "import_unknown_tool",
        tracker.run(&["import", "--from", "toggl", "x"])
    );
    assert_eq!(tracker.entries().len(), 0);
}

#[test]
fn doctor_finds_forgotten_stops() {
    let tracker = Tracker::new();
    tracker.ok(&[
        "add",
        "project1",
        "--from",
        "2024-03-01 09:00",
        "--to",
        "2024-03-03 09:00",
    ]);
    assert_snapshot!("doctor_long", tracker.run(&["doctor"]));
}
