//! Workouts: exercises in order, exact sets, ownership, lists, bad input.

use reqwest::Method;
use serde_json::{Value, json};

use groundwork_platform::testing::TestApp;

use crate::support::{app, call, exercise_id};

fn leg_day(squat: i64, run: i64) -> Value {
    json!({
        "name": "Leg day",
        "scheduledAt": "2026-01-15T07:00",
        "timeZone": "Europe/Paris",
        "notes": "easy",
        "exercises": [
            {"exerciseId": squat, "notes": "belt", "sets": [
                {"reps": 5, "weight": {"amount": "100", "unit": "kg"}},
                {"reps": 5, "weight": {"amount": "225.5", "unit": "lb"}, "actualReps": 4, "actualWeight": {"amount": "225.5", "unit": "lb"}},
            ]},
            {"exerciseId": run, "sets": [{"durationSecs": 1200, "distanceMetres": "3000.5"}]},
        ]
    })
}

/// Two accounts, and a leg day posted by the first; returns (owner, other, workout, squat, run).
async fn leg_day_of_a_new_owner(app: &TestApp) -> (String, String, Value, i64, i64) {
    let owner = app.register_user().await.access_token;
    let other = app.register_user().await.access_token;
    let (squat, run) = (
        exercise_id(app, "Back Squat").await,
        exercise_id(app, "Running").await,
    );
    let workout = call(
        app,
        Method::POST,
        "/workouts",
        Some(&owner),
        Some(&leg_day(squat, run)),
    )
    .await
    .json();
    (owner, other, workout, squat, run)
}

#[tokio::test]
async fn a_workout_keeps_its_exercises_in_order_and_its_numbers_exactly() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let (squat, run) = (
        exercise_id(&app, "Back Squat").await,
        exercise_id(&app, "Running").await,
    );
    let created = call(
        &app,
        Method::POST,
        "/workouts",
        Some(&token),
        Some(&leg_day(squat, run)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let workout = created.json();
    assert_eq!(
        workout["scheduledAt"], "2026-01-15T06:00:00Z",
        "07:00 in Paris in winter"
    );
    assert_eq!(workout["localTime"], "2026-01-15T07:00:00");
    assert_eq!(workout["status"], "pending");
    assert_eq!(workout["exercises"][0]["name"], "Back Squat");
    assert_eq!(workout["exercises"][0]["muscleGroup"], "legs");
    let sets = &workout["exercises"][0]["sets"];
    assert_eq!(sets[0]["weight"], json!({"amount": "100", "unit": "kg"}));
    assert_eq!(sets[1]["weight"], json!({"amount": "225.5", "unit": "lb"}));
    assert_eq!(sets[1]["actualReps"], 4);
    assert_eq!(
        workout["exercises"][1]["sets"][0]["distanceMetres"],
        "3000.5"
    );
    let path = format!("/workouts/{}", workout["id"]);
    assert_eq!(
        call(&app, Method::GET, &path, Some(&token), None)
            .await
            .json(),
        workout
    );

    // Reordering is sending them in another order.
    let mut reordered = leg_day(squat, run);
    let list = reordered["exercises"].as_array_mut().unwrap();
    list.reverse();
    reordered["status"] = json!("completed");
    let replaced = call(&app, Method::PUT, &path, Some(&token), Some(&reordered)).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    let replaced = replaced.json();
    assert_eq!(replaced["exercises"][0]["name"], "Running");
    assert_eq!(replaced["exercises"][1]["name"], "Back Squat");
    assert_eq!(replaced["status"], "completed");
    assert_eq!(replaced["createdAt"], workout["createdAt"]);

    assert_eq!(
        call(&app, Method::DELETE, &path, Some(&token), None)
            .await
            .status,
        204
    );
    call(&app, Method::GET, &path, Some(&token), None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn someone_elses_workout_is_not_found_and_unchanged() {
    let app = app().await;
    let (owner, other, workout, squat, run) = leg_day_of_a_new_owner(&app).await;
    let path = format!("/workouts/{}", workout["id"]);
    call(&app, Method::GET, &path, Some(&other), None)
        .await
        .assert_problem(404, "not_found");
    call(
        &app,
        Method::PUT,
        &path,
        Some(&other),
        Some(&leg_day(squat, run)),
    )
    .await
    .assert_problem(404, "not_found");
    call(&app, Method::DELETE, &path, Some(&other), None)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        call(&app, Method::GET, &path, Some(&owner), None)
            .await
            .json(),
        workout
    );
    call(&app, Method::GET, "/workouts/active", None, None)
        .await
        .assert_problem(401, "missing_token");
}

#[tokio::test]
async fn bad_workouts_name_every_field_and_store_nothing() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let other = app.register_user().await.access_token;
    let private = call(
        &app,
        Method::POST,
        "/exercises",
        Some(&other),
        Some(&json!({"name": "Secret Lift", "category": "strength", "muscleGroup": "back"})),
    )
    .await
    .json();
    let squat = exercise_id(&app, "Back Squat").await;
    let bad = json!({
        "name": "",
        "scheduledAt": "2026-03-29T02:30",
        "timeZone": "Europe/Paris",
        "status": "done",
        "exercises": [
            {"exerciseId": squat, "sets": [
                {"reps": -5},
                {"reps": 5, "weight": {"amount": "-10", "unit": "kg"}},
                {"reps": 5, "weight": {"amount": "10"}},
                {},
            ]},
        ]
    });
    let problem = call(&app, Method::POST, "/workouts", Some(&token), Some(&bad))
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "scheduledAt",
            "status",
            "exercises[0].sets[0].reps",
            "exercises[0].sets[1].weight.amount",
            "exercises[0].sets[2].weight.unit",
            "exercises[0].sets[3]",
        ],
        "{problem}"
    );
    let unknown = json!({"name": "x", "scheduledAt": "2026-01-01T10:00", "exercises": [
        {"exerciseId": private["id"], "sets": [{"reps": 1}]},
        {"exerciseId": 999999, "sets": [{"reps": 1}]},
    ]});
    let problem = call(
        &app,
        Method::POST,
        "/workouts",
        Some(&token),
        Some(&unknown),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(
        problem["errors"][0]["field"], "exercises[0].exerciseId",
        "someone else's private exercise"
    );
    assert_eq!(problem["errors"][1]["field"], "exercises[1].exerciseId");
    let zone = json!({"name": "x", "scheduledAt": "2026-01-01T10:00", "timeZone": "Mars/Olympus"});
    call(&app, Method::POST, "/workouts", Some(&token), Some(&zone))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/workouts/past?limit=100",
            Some(&token),
            None
        )
        .await
        .json()["total"],
        0
    );
    for id in ["abc", "1.5", "0"] {
        call(
            &app,
            Method::GET,
            &format!("/workouts/{id}"),
            Some(&token),
            None,
        )
        .await
        .assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn an_exercise_in_use_cannot_be_deleted() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let mine = call(
        &app,
        Method::POST,
        "/exercises",
        Some(&token),
        Some(&json!({"name": "Sled Push", "category": "strength", "muscleGroup": "legs"})),
    )
    .await
    .json();
    let body = json!({"name": "x", "scheduledAt": "2026-01-01T10:00", "exercises": [{"exerciseId": mine["id"], "sets": [{"reps": 1}]}]});
    assert_eq!(
        call(&app, Method::POST, "/workouts", Some(&token), Some(&body))
            .await
            .status,
        201
    );
    let path = format!("/exercises/{}", mine["id"]);
    call(&app, Method::DELETE, &path, Some(&token), None)
        .await
        .assert_problem(409, "exercise_in_use");
}

#[tokio::test]
async fn active_workouts_come_soonest_first_and_past_ones_filter() {
    let app = app().await;
    let token = app.register_user().await.access_token;
    let (squat, run) = (
        exercise_id(&app, "Back Squat").await,
        exercise_id(&app, "Running").await,
    );
    let plan = |name: &str, at: &str, status: &str, exercise: i64| {
        json!({"name": name, "scheduledAt": at, "timeZone": "America/New_York", "status": status,
               "exercises": [{"exerciseId": exercise, "sets": [{"reps": 1}]}]})
    };
    for body in [
        plan("later", "2099-05-01T09:00", "pending", squat),
        plan("soon", "2099-01-01T09:00", "pending", squat),
        plan("overdue", "2020-01-01T09:00", "pending", run),
        plan("done", "2026-02-10T23:30", "completed", squat),
        plan("skipped", "2026-02-11T08:00", "skipped", run),
    ] {
        let response = call(&app, Method::POST, "/workouts", Some(&token), Some(&body)).await;
        assert_eq!(response.status, 201, "{}", response.text());
    }
    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let active = call(&app, Method::GET, "/workouts/active", Some(&token), None)
        .await
        .json();
    assert_eq!(names(&active), ["overdue", "soon", "later"]);
    let past = call(&app, Method::GET, "/workouts/past", Some(&token), None)
        .await
        .json();
    assert_eq!(
        names(&past),
        ["skipped", "done", "overdue"],
        "most recent first, future ones left out"
    );
    // 23:30 on 10 February in New York is already 11 February in UTC.
    let ny_day = call(
        &app,
        Method::GET,
        "/workouts/past?from=2026-02-10&to=2026-02-10&timeZone=America/New_York",
        Some(&token),
        None,
    )
    .await
    .json();
    assert_eq!(names(&ny_day), ["done"]);
    let utc_day = call(
        &app,
        Method::GET,
        "/workouts/past?from=2026-02-11&to=2026-02-11",
        Some(&token),
        None,
    )
    .await
    .json();
    assert_eq!(names(&utc_day), ["skipped", "done"]);
    let runs = call(
        &app,
        Method::GET,
        &format!("/workouts/past?exerciseId={run}&status=skipped,pending"),
        Some(&token),
        None,
    )
    .await
    .json();
    assert_eq!(names(&runs), ["skipped", "overdue"]);
    call(
        &app,
        Method::GET,
        "/workouts/past?from=2026-02-11&to=2026-02-10",
        Some(&token),
        None,
    )
    .await
    .assert_problem(422, "validation_failed");
    call(
        &app,
        Method::GET,
        "/workouts/past?status=done",
        Some(&token),
        None,
    )
    .await
    .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn comments_are_the_owners_listed_oldest_first_and_editable() {
    let app = app().await;
    let (owner, other, workout, _, _) = leg_day_of_a_new_owner(&app).await;
    let comments = format!("/workouts/{}/comments", workout["id"]);
    for body in ["Squats felt heavy", "Add 2.5 kg next week"] {
        let added = call(
            &app,
            Method::POST,
            &comments,
            Some(&owner),
            Some(&json!({"body": body})),
        )
        .await;
        assert_eq!(added.status, 201, "{}", added.text());
    }
    let listed = call(&app, Method::GET, &comments, Some(&owner), None)
        .await
        .json();
    let bodies: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Squats felt heavy", "Add 2.5 kg next week"]);
    let first = format!("{comments}/{}", listed[0]["id"]);

    call(
        &app,
        Method::POST,
        &comments,
        Some(&other),
        Some(&json!({"body": "hi"})),
    )
    .await
    .assert_problem(404, "not_found");
    call(&app, Method::GET, &comments, Some(&other), None)
        .await
        .assert_problem(404, "not_found");
    call(
        &app,
        Method::PUT,
        &first,
        Some(&other),
        Some(&json!({"body": "x"})),
    )
    .await
    .assert_problem(404, "not_found");
    call(&app, Method::DELETE, &first, Some(&other), None)
        .await
        .assert_problem(404, "not_found");
    call(
        &app,
        Method::POST,
        &comments,
        Some(&owner),
        Some(&json!({"body": "  "})),
    )
    .await
    .assert_problem(422, "validation_failed");

    let edited = call(
        &app,
        Method::PUT,
        &first,
        Some(&owner),
        Some(&json!({"body": "Squats felt fine"})),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(edited.json()["body"], "Squats felt fine");
    assert_eq!(
        call(&app, Method::DELETE, &first, Some(&owner), None)
            .await
            .status,
        204
    );
    assert_eq!(
        call(&app, Method::GET, &comments, Some(&owner), None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    call(
        &app,
        Method::GET,
        "/workouts/abc/comments",
        Some(&owner),
        None,
    )
    .await
    .assert_problem(404, "not_found");
}
