//! The catalogue and private exercises.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{app, call};

fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_fresh_database_has_the_catalogue_and_it_filters() {
    let app = app().await;
    let all = call(&app, Method::GET, "/exercises?limit=100", None, None)
        .await
        .json();
    assert!(all["total"].as_u64().unwrap() >= 60, "{}", all["total"]);
    let names_all = names(&all);
    let mut sorted = names_all.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names_all, sorted, "by name");
    let squats = call(
        &app,
        Method::GET,
        "/exercises?q=SQUAT&muscleGroup=legs&category=strength",
        None,
        None,
    )
    .await
    .json();
    assert_eq!(
        names(&squats),
        ["Back Squat", "Bulgarian Split Squat", "Front Squat"]
    );
    let balance = call(&app, Method::GET, "/exercises?category=balance", None, None)
        .await
        .json();
    assert!(balance["total"].as_u64().unwrap() >= 5);
    assert!(
        balance["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["category"] == "balance" && e["custom"] == false)
    );
}

#[tokio::test]
async fn private_exercises_are_visible_to_their_owner_only() {
    let app = app().await;
    let ann = app.register_user().await.access_token;
    let bob = app.register_user().await.access_token;
    let body = json!({"name": "Sled Push", "category": "strength", "muscleGroup": "legs", "description": "Push a loaded sled 20 m."});
    let created = call(&app, Method::POST, "/exercises", Some(&ann), Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let sled = created.json();
    assert_eq!(sled["custom"], true);
    let path = format!("/exercises/{}", sled["id"]);

    assert_eq!(
        call(&app, Method::GET, &path, Some(&ann), None)
            .await
            .json(),
        sled
    );
    call(&app, Method::GET, &path, Some(&bob), None)
        .await
        .assert_problem(404, "not_found");
    call(&app, Method::GET, &path, None, None)
        .await
        .assert_problem(404, "not_found");
    let change = json!({"name": "Sled Drag", "category": "strength", "muscleGroup": "legs"});
    call(&app, Method::PUT, &path, Some(&bob), Some(&change))
        .await
        .assert_problem(404, "not_found");
    call(&app, Method::DELETE, &path, Some(&bob), None)
        .await
        .assert_problem(404, "not_found");

    let mine = call(
        &app,
        Method::GET,
        "/exercises?source=custom",
        Some(&ann),
        None,
    )
    .await
    .json();
    assert_eq!(names(&mine), ["Sled Push"]);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/exercises?source=custom",
            Some(&bob),
            None
        )
        .await
        .json()["total"],
        0
    );

    call(&app, Method::POST, "/exercises", Some(&ann), Some(&body))
        .await
        .assert_problem(409, "name_taken");
    assert_eq!(
        call(&app, Method::POST, "/exercises", Some(&bob), Some(&body))
            .await
            .status,
        201,
        "names are per account"
    );
    let shadow = json!({"name": "bench press", "category": "strength", "muscleGroup": "chest"});
    assert_eq!(
        call(&app, Method::POST, "/exercises", Some(&ann), Some(&shadow))
            .await
            .status,
        201,
        "a private exercise may share a catalogue name"
    );

    let renamed = call(&app, Method::PUT, &path, Some(&ann), Some(&change)).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    assert_eq!(renamed.json()["name"], "Sled Drag");
    assert_eq!(
        call(&app, Method::DELETE, &path, Some(&ann), None)
            .await
            .status,
        204
    );
    call(&app, Method::GET, &path, Some(&ann), None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn only_admins_change_the_catalogue() {
    let app = app().await;
    let user = app.register_user().await.access_token;
    let admin = app.admin().await.access_token;
    let body = json!({"name": "Farmer's Walk", "category": "strength", "muscleGroup": "full body", "shared": true});
    call(&app, Method::POST, "/exercises", Some(&user), Some(&body))
        .await
        .assert_problem(403, "forbidden");
    let created = call(&app, Method::POST, "/exercises", Some(&admin), Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let walk = created.json();
    assert_eq!(walk["custom"], false);
    let path = format!("/exercises/{}", walk["id"]);
    assert_eq!(
        call(&app, Method::GET, &path, None, None).await.json()["name"],
        "Farmer's Walk",
        "everyone sees it"
    );

    let change =
        json!({"name": "Farmer's Carry", "category": "strength", "muscleGroup": "full body"});
    call(&app, Method::PUT, &path, Some(&user), Some(&change))
        .await
        .assert_problem(403, "forbidden");
    call(&app, Method::DELETE, &path, Some(&user), None)
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        call(&app, Method::PUT, &path, Some(&admin), Some(&change))
            .await
            .json()["name"],
        "Farmer's Carry"
    );
    let duplicate =
        json!({"name": "DEADLIFT", "category": "strength", "muscleGroup": "back", "shared": true});
    call(
        &app,
        Method::POST,
        "/exercises",
        Some(&admin),
        Some(&duplicate),
    )
    .await
    .assert_problem(409, "name_taken");
}

#[tokio::test]
async fn bad_exercises_and_filters_are_named() {
    let app = app().await;
    let user = app.register_user().await.access_token;
    let bad = json!({"name": " ", "category": "yoga", "muscleGroup": "toes", "description": "x".repeat(2001)});
    let problem = call(&app, Method::POST, "/exercises", Some(&user), Some(&bad))
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "description", "category", "muscleGroup"]);
    call(
        &app,
        Method::POST,
        "/exercises",
        None,
        Some(&json!({"name": "x", "category": "cardio", "muscleGroup": "legs"})),
    )
    .await
    .assert_problem(401, "missing_token");
    call(
        &app,
        Method::GET,
        "/exercises?category=yoga&source=mine",
        None,
        None,
    )
    .await
    .assert_problem(422, "validation_failed");
    for id in ["abc", "-1", "99999999"] {
        call(&app, Method::GET, &format!("/exercises/{id}"), None, None)
            .await
            .assert_problem(404, "not_found");
    }
}
