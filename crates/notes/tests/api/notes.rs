//! Saving, reading, listing, searching, changing and deleting notes.

use reqwest::Method;
use serde_json::json;

use crate::support::{app, create, id_of, stored, upload};

#[tokio::test]
async fn a_note_saved_as_json_reads_back_with_its_metadata_and_raw_text() {
    let app = app().await;
    let user = app.register_user().await;
    let note = create(
        &app,
        &user,
        "Intro\n\n# Groceries\n\n- [ ] milk\n- [x] eggs\n",
    )
    .await;
    assert_eq!(note["title"], "Groceries");
    assert_eq!(note["wordCount"], 4);
    assert_eq!(note["sizeBytes"], 42);
    assert_eq!(note["sha256"].as_str().unwrap().len(), 64);

    let id = id_of(&note);
    let detail = app
        .get_authed(&format!("/notes/{id}"), &user.access_token)
        .await;
    assert_eq!(detail.status, 200);
    assert_eq!(
        detail.json()["markdown"],
        "Intro\n\n# Groceries\n\n- [ ] milk\n- [x] eggs\n"
    );

    let raw = app
        .get_authed(&format!("/notes/{id}/raw"), &user.access_token)
        .await;
    assert_eq!(raw.status, 200);
    assert_eq!(
        raw.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert_eq!(
        raw.text(),
        "Intro\n\n# Groceries\n\n- [ ] milk\n- [x] eggs\n"
    );
    let etag = raw.header("etag").unwrap().to_owned();
    let again = app
        .send(
            app.request(Method::GET, &format!("/notes/{id}/raw"))
                .bearer_auth(&user.access_token)
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(again.status, 304);
}

#[tokio::test]
async fn a_given_title_wins_and_a_note_without_heading_is_titled_by_its_first_line() {
    let app = app().await;
    let user = app.register_user().await;
    let titled = app
        .json_authed(
            Method::POST,
            "/notes",
            &user.access_token,
            &json!({ "title": "  Mine  ", "markdown": "# Heading\n" }),
        )
        .await;
    assert_eq!(titled.status, 201);
    assert_eq!(titled.json()["title"], "Mine");
    let untitled = create(&app, &user, "remember the *milk*\nand bread\n").await;
    assert_eq!(untitled["title"], "remember the milk");
}

#[tokio::test]
async fn identical_texts_are_stored_once_and_freed_with_their_last_note() {
    let app = app().await;
    let alice = app.register_user().await;
    let bob = app.register_user().await;
    let first = create(&app, &alice, "# Same text\n").await;
    let second = create(&app, &bob, "# Same text\n").await;
    let third = upload(&app, &alice, &[("notes.md", b"# Same text\n")]).await;
    assert_eq!(third.status, 201, "{}", third.text());
    assert_eq!(stored(&app).await, (3, 1, 1));

    for (note, user) in [(&first, &alice), (&second, &bob)] {
        let deleted = app
            .call(
                Method::DELETE,
                &format!("/notes/{}", id_of(note)),
                Some(&user.access_token),
                None,
            )
            .await;
        assert_eq!(deleted.status, 204);
    }
    assert_eq!(
        stored(&app).await,
        (1, 1, 1),
        "one note still uses the text"
    );
    let last = &third.json()["data"][0];
    app.call(
        Method::DELETE,
        &format!("/notes/{}", id_of(last)),
        Some(&alice.access_token),
        None,
    )
    .await;
    assert_eq!(stored(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn two_uploads_named_notes_md_do_not_collide() {
    let app = app().await;
    let user = app.register_user().await;
    let response = upload(
        &app,
        &user,
        &[("notes.md", b"# First\n"), ("notes.md", b"# Second\n")],
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let data = response.json()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["title"], "First");
    assert_eq!(data[0]["fileName"], "notes.md");
    assert_eq!(data[1]["title"], "Second");
    assert_eq!(stored(&app).await, (2, 2, 2));
    for (note, text) in data.iter().zip(["# First\n", "# Second\n"]) {
        let raw = app
            .get_authed(&format!("/notes/{}/raw", id_of(note)), &user.access_token)
            .await;
        assert_eq!(raw.text(), text);
    }
}

#[tokio::test]
async fn an_uploaded_file_without_heading_is_titled_by_its_name_and_its_bom_is_stripped() {
    let app = app().await;
    let user = app.register_user().await;
    let response = upload(
        &app,
        &user,
        &[("trip plans.md", b"\xEF\xBB\xBFpack the tent\n")],
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let note = &response.json()["data"][0];
    assert_eq!(note["title"], "trip plans");
    let raw = app
        .get_authed(&format!("/notes/{}/raw", id_of(note)), &user.access_token)
        .await;
    assert_eq!(raw.body, b"pack the tent\n");
}

#[tokio::test]
async fn lists_page_newest_first_and_search_matches_title_and_text_words() {
    let app = app().await;
    let user = app.register_user().await;
    let other = app.register_user().await;
    create(
        &app,
        &user,
        "# Sourdough\n\nFeed the starter with rye flour.\n",
    )
    .await;
    create(&app, &user, "# Running log\n\nRan 5 km along the river.\n").await;
    create(&app, &user, "# Reading list\n\nA book about mermaids.\n").await;
    create(&app, &other, "# Someone else's sourdough\n").await;

    let page = app
        .get_authed("/notes?limit=2", &user.access_token)
        .await
        .json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["title"], "Reading list");
    let page2 = app
        .get_authed("/notes?limit=2&page=2", &user.access_token)
        .await
        .json();
    assert_eq!(page2["data"][0]["title"], "Sourdough");

    let titles = |body: serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_text = app
        .get_authed("/notes?q=rye", &user.access_token)
        .await
        .json();
    assert_eq!(titles(by_text), ["Sourdough"]);
    let by_title = app
        .get_authed("/notes?q=sourdough", &user.access_token)
        .await
        .json();
    assert_eq!(titles(by_title), ["Sourdough"], "only the owner's notes");
    let by_prefix = app
        .get_authed("/notes?q=MERM", &user.access_token)
        .await
        .json();
    assert_eq!(titles(by_prefix), ["Reading list"]);
    let all_words = app
        .get_authed("/notes?q=river%20rye", &user.access_token)
        .await
        .json();
    assert_eq!(all_words["total"], 0);
    let syntax = app
        .get_authed("/notes?q=%22rye%22%20OR%20*%20NEAR(", &user.access_token)
        .await;
    assert_eq!(
        syntax.status, 200,
        "query syntax is not passed to the engine"
    );
    let stemmed = app
        .get_authed("/notes?q=runs", &user.access_token)
        .await
        .json();
    assert_eq!(
        titles(stemmed),
        ["Running log"],
        "words are stemmed: runs ~ running"
    );
}

#[tokio::test]
async fn changing_the_text_reindexes_and_frees_the_old_text() {
    let app = app().await;
    let user = app.register_user().await;
    let note = create(&app, &user, "# Old\n\nalpha\n").await;
    let id = id_of(&note);
    let changed = app
        .json_authed(
            Method::PUT,
            &format!("/notes/{id}"),
            &user.access_token,
            &json!({ "markdown": "# Old\n\nbeta gamma\n" }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["wordCount"], 3);
    assert_eq!(
        changed.json()["title"],
        "Old",
        "the title stays unless sent"
    );
    assert_eq!(stored(&app).await, (1, 1, 1));
    let alpha = app
        .get_authed("/notes?q=alpha", &user.access_token)
        .await
        .json();
    assert_eq!(alpha["total"], 0);
    let beta = app
        .get_authed("/notes?q=beta", &user.access_token)
        .await
        .json();
    assert_eq!(beta["total"], 1);

    let renamed = app
        .json_authed(
            Method::PUT,
            &format!("/notes/{id}"),
            &user.access_token,
            &json!({ "title": "Greek letters" }),
        )
        .await;
    assert_eq!(renamed.json()["title"], "Greek letters");
    let by_title = app
        .get_authed("/notes?q=greek", &user.access_token)
        .await
        .json();
    assert_eq!(by_title["total"], 1);
}

#[tokio::test]
async fn someone_elses_note_is_not_found_for_every_method() {
    let app = app().await;
    let owner = app.register_user().await;
    let intruder = app.register_user().await;
    let id = id_of(&create(&app, &owner, "# Private\n").await);
    for path in [
        format!("/notes/{id}"),
        format!("/notes/{id}/raw"),
        format!("/notes/{id}/html"),
        format!("/notes/{id}/grammar"),
    ] {
        let response = app.get_authed(&path, &intruder.access_token).await;
        response.assert_problem(404, "not_found");
    }
    let put = app
        .json_authed(
            Method::PUT,
            &format!("/notes/{id}"),
            &intruder.access_token,
            &json!({ "title": "mine now" }),
        )
        .await;
    put.assert_problem(404, "not_found");
    let delete = app
        .call(
            Method::DELETE,
            &format!("/notes/{id}"),
            Some(&intruder.access_token),
            None,
        )
        .await;
    delete.assert_problem(404, "not_found");
    let still = app
        .get_authed(&format!("/notes/{id}"), &owner.access_token)
        .await;
    assert_eq!(still.json()["title"], "Private");
}

#[tokio::test]
async fn concurrent_saves_of_one_text_store_it_once() {
    let app = app().await;
    let user = app.register_user().await;
    let saves = (0..8).map(|_| create(&app, &user, "# Shared\n\nsame words\n"));
    let notes = futures_util::future::join_all(saves).await;
    assert_eq!(notes.len(), 8);
    assert_eq!(stored(&app).await, (8, 1, 1));
    let paths: Vec<String> = notes
        .iter()
        .map(|note| format!("/notes/{}", id_of(note)))
        .collect();
    let deletes = paths
        .iter()
        .map(|path| app.call(Method::DELETE, path, Some(&user.access_token), None));
    for response in futures_util::future::join_all(deletes).await {
        assert_eq!(response.status, 204);
    }
    assert_eq!(stored(&app).await, (0, 0, 0));
}
