//! Reports against a hand-computed fixture that crosses the DST change of 29 March 2026 in
//! Paris and mixes zones and units.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{app, call, exercise_id};

fn workout(name: &str, at: &str, zone: &str, status: &str, exercise: i64, sets: Value) -> Value {
    json!({"name": name, "scheduledAt": at, "timeZone": zone, "status": status,
           "exercises": [{"exerciseId": exercise, "sets": sets}]})
}

#[tokio::test]
async fn the_report_matches_a_hand_computed_fixture_across_dst_and_zones() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let other = app.register_user().await.access_token;
    let squat = exercise_id(&app, "Back Squat").await;
    let bench = exercise_id(&app, "Bench Press").await;
    let deadlift = exercise_id(&app, "Deadlift").await;
    let paris = "Europe/Paris";
    let fixture = [
        // Monday 23 March, winter time: 5 × 100 kg planned, and 4 × 100 kg done on the
        // second set: 500 + 400 = 900 kg.
        workout(
            "A",
            "2026-03-23T07:00",
            paris,
            "completed",
            squat,
            json!([
                {"reps": 5, "weight": {"amount": "100", "unit": "kg"}},
                {"reps": 5, "weight": {"amount": "100", "unit": "kg"}, "actualReps": 4},
            ]),
        ),
        // Monday 30 March 00:30 in Paris (summer time) is still Sunday 29 March in UTC: it
        // belongs to the week of 30 March. 10 × 135 lb = 612.3497 kg.
        workout(
            "B",
            "2026-03-30T00:30",
            paris,
            "completed",
            bench,
            json!([
                {"reps": 10, "weight": {"amount": "135", "unit": "lb"}},
            ]),
        ),
        // Skipped: counted in the rate, not in volume or records.
        workout(
            "C",
            "2026-03-31T07:00",
            paris,
            "skipped",
            deadlift,
            json!([
                {"reps": 5, "weight": {"amount": "140", "unit": "kg"}},
            ]),
        ),
        workout(
            "D",
            "2026-04-02T07:00",
            paris,
            "pending",
            squat,
            json!([{"reps": 5}]),
        ),
        // Sunday 5 April 23:30 in New York is Monday 6 April in UTC: still the week of
        // 30 March for its owner. 3 × 110 kg = 330 kg, and a squat record.
        workout(
            "F",
            "2026-04-05T23:30",
            "America/New_York",
            "completed",
            squat,
            json!([
                {"reps": 3, "weight": {"amount": "110", "unit": "kg"}},
            ]),
        ),
        // Outside the period.
        workout(
            "E",
            "2026-03-22T07:00",
            paris,
            "completed",
            squat,
            json!([
                {"reps": 1, "weight": {"amount": "200", "unit": "kg"}},
            ]),
        ),
    ];
    for body in &fixture {
        let response = call(&app, Method::POST, "/workouts", Some(&token), Some(body)).await;
        assert_eq!(response.status, 201, "{}", response.text());
    }
    // Someone else's training never shows.
    let theirs = workout(
        "X",
        "2026-03-25T07:00",
        paris,
        "completed",
        squat,
        json!([{"reps": 1, "weight": {"amount": "300", "unit": "kg"}}]),
    );
    assert_eq!(
        call(&app, Method::POST, "/workouts", Some(&other), Some(&theirs))
            .await
            .status,
        201
    );

    let report = call(
        &app,
        Method::GET,
        "/reports?from=2026-03-23&to=2026-04-05",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(report.status, 200, "{}", report.text());
    let report = report.json();
    assert_eq!(report["scheduled"], 5);
    assert_eq!(report["completed"], 3);
    assert_eq!(report["skipped"], 1);
    assert_eq!(report["pending"], 1);
    assert_eq!(report["completionRate"], 60.0);
    assert_eq!(
        report["volumeByExercise"],
        json!([
            {"week": "2026-03-23", "exerciseId": squat, "name": "Back Squat", "volumeKg": "900.000"},
            {"week": "2026-03-30", "exerciseId": squat, "name": "Back Squat", "volumeKg": "330.000"},
            {"week": "2026-03-30", "exerciseId": bench, "name": "Bench Press", "volumeKg": "612.350"},
        ])
    );
    assert_eq!(
        report["volumeByMuscleGroup"],
        json!([
            {"week": "2026-03-23", "muscleGroup": "legs", "volumeKg": "900.000"},
            {"week": "2026-03-30", "muscleGroup": "chest", "volumeKg": "612.350"},
            {"week": "2026-03-30", "muscleGroup": "legs", "volumeKg": "330.000"},
        ])
    );
    assert_eq!(
        report["personalRecords"],
        json!([
            {"exerciseId": squat, "name": "Back Squat", "weightKg": "110.000", "reps": 3, "date": "2026-04-05"},
            {"exerciseId": bench, "name": "Bench Press", "weightKg": "61.235", "reps": 10, "date": "2026-03-30"},
        ])
    );

    let empty = call(
        &app,
        Method::GET,
        "/reports?from=2020-01-01&to=2020-12-31",
        Some(&token),
        None,
    )
    .await
    .json();
    assert_eq!(empty["scheduled"], 0);
    assert_eq!(empty["completionRate"], Value::Null);
}

#[tokio::test]
async fn bad_report_periods_are_refused() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    for query in [
        "?from=2026-05-01&to=2026-04-01",
        "?from=2000-01-01&to=2026-01-01",
        "?from=x&to=y",
        "?from=2026-01-01",
    ] {
        let response = call(
            &app,
            Method::GET,
            &format!("/reports{query}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(response.status, 422, "{query}: {}", response.text());
    }
    call(
        &app,
        Method::GET,
        "/reports?from=2026-01-01&to=2026-01-31",
        None,
        None,
    )
    .await
    .assert_problem(401, "missing_token");
}
