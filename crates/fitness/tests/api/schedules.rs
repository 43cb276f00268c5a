//! Recurring schedules: occurrences at local times across DST, independent occurrences,
//! the cap.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{app, call, exercise_id};

fn rule(squat: i64, weekdays: Value, time: &str, start: &str, weeks: u32) -> Value {
    json!({"name": "Strength", "weekdays": weekdays, "time": time, "timeZone": "Europe/Paris",
           "startDate": start, "weeks": weeks,
           "exercises": [{"exerciseId": squat, "sets": [{"reps": 5, "weight": {"amount": "100", "unit": "kg"}}]}]})
}

#[tokio::test]
async fn mondays_and_thursdays_at_seven_for_eight_weeks_make_sixteen_workouts_at_local_seven() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let squat = exercise_id(&app, "Back Squat").await;
    // 16 March 2026 is a Monday; Paris moves to summer time on 29 March.
    let body = rule(squat, json!(["mon", "thu"]), "07:00", "2026-03-16", 8);
    let created = call(&app, Method::POST, "/schedules", Some(&token), Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let schedule = created.json();
    let workouts = schedule["workouts"].as_array().unwrap();
    assert_eq!(workouts.len(), 16);
    assert!(
        workouts
            .iter()
            .all(|w| w["localTime"].as_str().unwrap().ends_with("T07:00:00"))
    );
    assert_eq!(workouts[0]["localTime"], "2026-03-16T07:00:00");
    assert_eq!(
        workouts[0]["scheduledAt"], "2026-03-16T06:00:00Z",
        "winter: UTC+1"
    );
    assert_eq!(workouts[4]["localTime"], "2026-03-30T07:00:00");
    assert_eq!(
        workouts[4]["scheduledAt"], "2026-03-30T05:00:00Z",
        "summer: UTC+2"
    );
    assert!(workouts.iter().all(|w| w["scheduleId"] == schedule["id"]));

    // Editing one occurrence leaves the others alone.
    let first = format!("/workouts/{}", workouts[0]["id"]);
    let edit = json!({"name": "Moved", "scheduledAt": "2026-03-16T18:00", "timeZone": "Europe/Paris", "status": "completed",
                      "exercises": [{"exerciseId": squat, "sets": [{"reps": 3}]}]});
    let changed = call(&app, Method::PUT, &first, Some(&token), Some(&edit))
        .await
        .json();
    assert_eq!(changed["name"], "Moved");
    let second = call(
        &app,
        Method::GET,
        &format!("/workouts/{}", workouts[1]["id"]),
        Some(&token),
        None,
    )
    .await
    .json();
    assert_eq!(second["name"], "Strength");
    assert_eq!(second["exercises"][0]["sets"][0]["reps"], 5);

    // Deleting the schedule removes what is still pending and keeps what was done.
    let path = format!("/schedules/{}", schedule["id"]);
    assert_eq!(
        call(&app, Method::DELETE, &path, Some(&token), None)
            .await
            .status,
        204
    );
    assert_eq!(
        call(&app, Method::GET, &first, Some(&token), None)
            .await
            .status,
        200
    );
    call(
        &app,
        Method::GET,
        &format!("/workouts/{}", workouts[1]["id"]),
        Some(&token),
        None,
    )
    .await
    .assert_problem(404, "not_found");
    call(&app, Method::DELETE, &path, Some(&token), None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_time_inside_the_dst_gap_moves_to_the_end_of_the_gap() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let squat = exercise_id(&app, "Back Squat").await;
    // Sundays at 02:30: on 29 March 2026 that time does not exist in Paris.
    let body = rule(squat, json!(["sun"]), "02:30", "2026-03-22", 2);
    let schedule = call(&app, Method::POST, "/schedules", Some(&token), Some(&body))
        .await
        .json();
    let workouts = schedule["workouts"].as_array().unwrap();
    assert_eq!(workouts[0]["localTime"], "2026-03-22T02:30:00");
    assert_eq!(workouts[1]["localTime"], "2026-03-29T03:00:00");
    assert_eq!(workouts[1]["scheduledAt"], "2026-03-29T01:00:00Z");
}

#[tokio::test]
async fn bad_rules_are_refused_and_generate_nothing() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let other = app.register_user().await.access_token;
    let squat = exercise_id(&app, "Back Squat").await;
    let every_day = rule(
        squat,
        json!(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
        "07:00",
        "2026-01-05",
        30,
    );
    let problem = call(
        &app,
        Method::POST,
        "/schedules",
        Some(&token),
        Some(&every_day),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "too_many_occurrences");
    let bad = rule(squat, json!(["someday"]), "25:00", "soon", 0);
    let problem = call(&app, Method::POST, "/schedules", Some(&token), Some(&bad))
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["weekdays[0]", "time", "startDate", "weeks"]);
    let private = call(
        &app,
        Method::POST,
        "/exercises",
        Some(&other),
        Some(&json!({"name": "Secret", "category": "strength", "muscleGroup": "back"})),
    )
    .await
    .json();
    let theirs = rule(
        private["id"].as_i64().unwrap(),
        json!(["mon"]),
        "07:00",
        "2026-01-05",
        1,
    );
    call(
        &app,
        Method::POST,
        "/schedules",
        Some(&token),
        Some(&theirs),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(
        call(&app, Method::GET, "/workouts/active", Some(&token), None)
            .await
            .json()["total"],
        0
    );
}
