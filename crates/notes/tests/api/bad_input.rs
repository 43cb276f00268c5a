//! Bad input of every kind: a clear 4xx, and nothing stored.

use reqwest::Method;
use serde_json::json;

use crate::support::{app, app_with, create, id_of, stored, upload};

#[tokio::test]
async fn bad_files_are_refused_with_a_reason_and_nothing_is_stored() {
    let app = app().await;
    let user = app.register_user().await;
    let cases: [(&str, &[u8], u16, &str); 5] = [
        ("latin1.md", b"caf\xE9 au lait", 422, "validation_failed"),
        (
            "image.md",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            422,
            "validation_failed",
        ),
        ("empty.md", b"  \n\n", 422, "validation_failed"),
        ("photo.png", b"# fine text", 422, "validation_failed"),
        ("deep.md", &[b'>'; 5000], 422, "validation_failed"),
    ];
    for (name, bytes, status, code) in cases {
        // A good file in the same upload is not stored either: all or nothing.
        let response = upload(&app, &user, &[("good.md", b"# Good\n"), (name, bytes)]).await;
        let problem = response.assert_problem(status, code);
        let field_code = problem["errors"][0]["code"].as_str().unwrap().to_owned();
        assert!(
            [
                "not_utf8",
                "binary_content",
                "required",
                "unsupported_file_type",
                "too_deeply_nested"
            ]
            .contains(&field_code.as_str()),
            "{name}: {problem}"
        );
    }
    assert_eq!(stored(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn oversized_notes_and_uploads_are_413_and_not_stored() {
    let app = app_with("notes.max_note_bytes", 1000).await;
    let user = app.register_user().await;
    let big = "a".repeat(1001);
    let json_note = app
        .json_authed(
            Method::POST,
            "/notes",
            &user.access_token,
            &json!({ "markdown": big }),
        )
        .await;
    json_note.assert_problem(413, "note_too_large");
    let file = upload(&app, &user, &[("big.md", big.as_bytes())]).await;
    file.assert_problem(413, "note_too_large");
    // 50 MB: refused from its Content-Length before it is read.
    let huge = vec![b'a'; 50 * 1024 * 1024];
    let response = upload(&app, &user, &[("huge.md", &huge)]).await;
    response.assert_problem(413, "payload_too_large");
    assert_eq!(stored(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn a_50_mb_body_streamed_without_a_length_is_cut_off_at_the_limit() {
    let app = app().await;
    let user = app.register_user().await;
    let chunks = (0..50).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 1024 * 1024]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let response = app
        .send(
            app.request(Method::POST, "/notes")
                .bearer_auth(&user.access_token)
                .header("content-type", "multipart/form-data; boundary=X")
                .body(body),
        )
        .await;
    assert!(
        [400, 413].contains(&response.status.as_u16()),
        "{} {}",
        response.status,
        response.text()
    );
    assert_eq!(stored(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn malformed_and_missing_bodies_are_4xx() {
    let app = app().await;
    let user = app.register_user().await;
    let token = &user.access_token;
    let no_type = app
        .send(
            app.request(Method::POST, "/notes")
                .bearer_auth(token)
                .body("# hi"),
        )
        .await;
    no_type.assert_problem(415, "unsupported_media_type");
    let broken = app
        .send(
            app.request(Method::POST, "/notes")
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{\"markdown\":"),
        )
        .await;
    assert_eq!(broken.status, 400, "{}", broken.text());
    let wrong_type = app
        .json_authed(Method::POST, "/notes", token, &json!({ "markdown": 7 }))
        .await;
    assert_eq!(wrong_type.status, 422, "{}", wrong_type.text());
    let unknown = app
        .json_authed(
            Method::POST,
            "/notes",
            token,
            &json!({ "markdown": "x", "tags": [] }),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    let no_boundary = app
        .send(
            app.request(Method::POST, "/notes")
                .bearer_auth(token)
                .header("content-type", "multipart/form-data")
                .body("--X\r\n"),
        )
        .await;
    no_boundary.assert_problem(400, "malformed_multipart");
    let truncated = app
        .send(
            app.request(Method::POST, "/notes")
                .bearer_auth(token)
                .header("content-type", "multipart/form-data; boundary=X")
                .body("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.md\"\r\n\r\n# cut"),
        )
        .await;
    truncated.assert_problem(400, "malformed_multipart");
    let no_files = app
        .send(
            app.request(Method::POST, "/notes")
                .bearer_auth(token)
                .multipart(reqwest::multipart::Form::new().text("title", "no file")),
        )
        .await;
    no_files.assert_problem(422, "validation_failed");
    let title = app
        .json_authed(
            Method::POST,
            "/notes",
            token,
            &json!({ "markdown": "x", "title": "a".repeat(201) }),
        )
        .await;
    title.assert_problem(422, "validation_failed");
    let nul = app
        .json_authed(
            Method::POST,
            "/notes",
            token,
            &json!({ "markdown": "a\u{0}b" }),
        )
        .await;
    nul.assert_problem(422, "validation_failed");
    assert_eq!(stored(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn deeply_nested_markdown_is_refused_quickly_everywhere() {
    let app = app().await;
    let user = app.register_user().await;
    let token = &user.access_token;
    let quotes = ">".repeat(100_000);
    let lists = (0..300)
        .map(|depth| format!("{}- x\n", "  ".repeat(depth)))
        .collect::<String>();
    let emphasis = format!("{}x{}", "*".repeat(50_000), "*".repeat(50_000));
    let links = format!("{}x{}", "[".repeat(50_000), "](u)".repeat(50_000));
    let html = "<div>".repeat(50_000);
    for markdown in [&quotes, &lists, &emphasis, &links, &html] {
        let saved = app
            .json_authed(
                Method::POST,
                "/notes",
                token,
                &json!({ "markdown": markdown }),
            )
            .await;
        let rendered = app
            .json_authed(
                Method::POST,
                "/notes/render",
                token,
                &json!({ "markdown": markdown }),
            )
            .await;
        for response in [&saved, &rendered] {
            assert!(
                [200, 201, 422].contains(&response.status.as_u16()),
                "{}: {:.300}",
                response.status,
                response.text()
            );
        }
        if saved.status == 201 {
            // What was accepted renders (or is refused) with a 4xx, never a 500.
            let html = app
                .get_authed(&format!("/notes/{}/html", id_of(&saved.json())), token)
                .await;
            assert!(
                [200, 422].contains(&html.status.as_u16()),
                "{:.300}",
                html.text()
            );
        }
    }
    let refused = app
        .json_authed(
            Method::POST,
            "/notes",
            token,
            &json!({ "markdown": quotes }),
        )
        .await;
    let problem = refused.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "too_deeply_nested");
}

#[tokio::test]
async fn every_route_needs_a_signed_in_account_and_bad_ids_are_404() {
    let app = app().await;
    for (method, path) in [
        (Method::GET, "/notes"),
        (Method::POST, "/notes"),
        (Method::GET, "/notes/dictionary"),
        (Method::POST, "/notes/grammar"),
        (Method::GET, "/notes/0190a0a0-0000-7000-8000-000000000000"),
    ] {
        let response = app.call(method, path, None, Some(json!({}))).await;
        response.assert_problem(401, "missing_token");
    }
    let user = app.register_user().await;
    for path in [
        "/notes/not-a-uuid",
        "/notes/0190a0a0-0000-7000-8000-000000000000/html",
    ] {
        app.get_authed(path, &user.access_token)
            .await
            .assert_problem(404, "not_found");
    }
    let id = id_of(&create(&app, &user, "# x\n").await);
    let empty_update = app
        .json_authed(
            Method::PUT,
            &format!("/notes/{id}"),
            &user.access_token,
            &json!({}),
        )
        .await;
    empty_update.assert_problem(422, "validation_failed");
    let bad_page = app
        .get_authed("/notes?limit=1000", &user.access_token)
        .await;
    bad_page.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn the_note_quota_is_enforced() {
    let app = app_with("notes.max_notes_per_user", 2).await;
    let user = app.register_user().await;
    create(&app, &user, "one").await;
    let upload_two = upload(&app, &user, &[("a.md", b"two"), ("b.md", b"three")]).await;
    upload_two.assert_problem(409, "too_many_notes");
    create(&app, &user, "two").await;
    let third = app
        .json_authed(
            Method::POST,
            "/notes",
            &user.access_token,
            &json!({ "markdown": "three" }),
        )
        .await;
    third.assert_problem(409, "too_many_notes");
    assert_eq!(stored(&app).await.0, 2);
}
