//! REST: creating, voting, changing, withdrawing, closing, listing; and the bad cases.

use axum::http::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_poll_is_created_voted_on_changed_withdrawn_and_closed() {
    let app = app().await;
    let owner = app.register_user().await;
    let poll = create_poll(&app, &owner, &["Pizza", "Sushi", "Tacos"], json!({})).await;
    assert_eq!(votes(&poll), [0, 0, 0]);
    assert!(poll.open);

    let alice = voter_token(&app).await;
    let bob = voter_token(&app).await;
    assert_eq!(
        vote_as(&app, Method::POST, &poll, &alice, &[0])
            .await
            .status,
        201
    );
    let after = vote_as(&app, Method::POST, &poll, &bob, &[1]).await;
    assert_eq!(after.status, 201);
    let after: groundwork_polls::api::response::PollResponse = after.json_as();
    assert_eq!(votes(&after), [1, 1, 0]);
    assert_eq!(after.my_vote, Some(vec![poll.options[1].id]));

    // Alice changes her mind, then bob withdraws.
    assert_eq!(
        vote_as(&app, Method::PUT, &poll, &alice, &[2]).await.status,
        200
    );
    let withdrawn = app
        .send(
            app.request(Method::DELETE, &format!("/polls/{}/votes", poll.id))
                .header("x-voter-token", &bob),
        )
        .await;
    assert_eq!(withdrawn.status, 204);
    let current = get_poll(&app, poll.id).await;
    assert_eq!((votes(&current), current.voters), (vec![0, 0, 1], 1));

    // A signed-in user votes too; the owner closes; late votes are refused.
    let carol = app.register_user().await;
    let signed_in = app
        .json_authed(
            Method::POST,
            &format!("/polls/{}/votes", poll.id),
            &carol.access_token,
            &json!({"optionIds": [poll.options[0].id]}),
        )
        .await;
    assert_eq!(signed_in.status, 201);
    let closed = app
        .call(
            Method::POST,
            &format!("/polls/{}/close", poll.id),
            Some(&owner.access_token),
            None,
        )
        .await;
    assert_eq!(closed.status, 200);
    assert!(!closed.json()["open"].as_bool().unwrap());
    vote_as(&app, Method::PUT, &poll, &bob, &[0])
        .await
        .assert_problem(409, "poll_closed");
    let final_poll = get_poll(&app, poll.id).await;
    assert_eq!(votes(&final_poll), [1, 0, 1]);

    // Listed among the owner's polls.
    let mine = app.get_authed("/polls/mine", &owner.access_token).await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.json()["total"], 1);
    assert_eq!(mine.json()["data"][0]["id"], poll.id.to_string());
}

#[tokio::test]
async fn one_vote_per_voter_even_when_sent_at_once() {
    let app = app().await;
    let owner = app.register_user().await;
    let poll = create_poll(&app, &owner, &["Yes", "No"], json!({})).await;
    let token = voter_token(&app).await;
    let attempts = futures_util::future::join_all(
        (0..20).map(|_| vote_as(&app, Method::POST, &poll, &token, &[0])),
    )
    .await;
    let created = attempts.iter().filter(|r| r.status == 201).count();
    let refused = attempts.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, refused), (1, 19), "exactly one counted");
    for refusal in attempts.iter().filter(|r| r.status == 409) {
        refusal.assert_problem(409, "already_voted");
    }
    let poll = get_poll(&app, poll.id).await;
    assert_eq!((votes(&poll), poll.voters), (vec![1, 0], 1));
}

#[tokio::test]
async fn choices_must_belong_to_the_poll_and_fit_its_kind() {
    let app = app().await;
    let owner = app.register_user().await;
    let single = create_poll(&app, &owner, &["A", "B"], json!({})).await;
    let other = create_poll(&app, &owner, &["C", "D"], json!({})).await;
    let token = voter_token(&app).await;
    let foreign = app
        .send(
            app.request(Method::POST, &format!("/polls/{}/votes", single.id))
                .header("x-voter-token", &token)
                .json(&json!({"optionIds": [other.options[0].id]})),
        )
        .await;
    foreign.assert_problem(422, "validation_failed");
    vote_as(&app, Method::POST, &single, &token, &[0, 1])
        .await
        .assert_problem(422, "validation_failed");
    vote_as(&app, Method::POST, &single, &token, &[])
        .await
        .assert_problem(422, "validation_failed");

    let multiple = create_poll(
        &app,
        &owner,
        &["A", "B", "C"],
        json!({"multipleChoice": true}),
    )
    .await;
    let response = vote_as(&app, Method::POST, &multiple, &token, &[0, 2]).await;
    assert_eq!(response.status, 201, "{}", response.text());
    vote_as(&app, Method::PUT, &multiple, &token, &[1, 1])
        .await
        .assert_problem(422, "validation_failed");
    let poll = get_poll(&app, multiple.id).await;
    assert_eq!((votes(&poll), poll.voters), (vec![1, 0, 1], 1));
    // Nothing of the refused ballots was stored.
    assert_eq!(votes(&get_poll(&app, single.id).await), [0, 0]);
}

#[tokio::test]
async fn voters_must_be_identified_and_login_only_polls_refuse_anonymous_voters() {
    let app = app().await;
    let owner = app.register_user().await;
    let public = create_poll(&app, &owner, &["A", "B"], json!({})).await;
    let body = json!({"optionIds": [public.options[0].id]});
    app.post(&format!("/polls/{}/votes", public.id), &body)
        .await
        .assert_problem(401, "voter_required");
    vote_as(&app, Method::POST, &public, "made-up-token", &[0])
        .await
        .assert_problem(401, "bad_voter_token");

    let members = create_poll(&app, &owner, &["A", "B"], json!({"loginRequired": true})).await;
    let token = voter_token(&app).await;
    vote_as(&app, Method::POST, &members, &token, &[0])
        .await
        .assert_problem(401, "login_required");
    let member = app.register_user().await;
    let response = app
        .json_authed(
            Method::POST,
            &format!("/polls/{}/votes", members.id),
            &member.access_token,
            &json!({"optionIds": [members.options[1].id]}),
        )
        .await;
    assert_eq!(response.status, 201);
}

#[tokio::test]
async fn only_the_owner_closes_and_bad_polls_are_refused() {
    let app = app().await;
    let owner = app.register_user().await;
    let stranger = app.register_user().await;
    let poll = create_poll(&app, &owner, &["A", "B"], json!({})).await;
    app.call(
        Method::POST,
        &format!("/polls/{}/close", poll.id),
        Some(&stranger.access_token),
        None,
    )
    .await
    .assert_problem(403, "forbidden");
    app.call(
        Method::POST,
        &format!("/polls/{}/close", poll.id),
        None,
        None,
    )
    .await
    .assert_problem(401, "missing_token");

    let post = |body: serde_json::Value| {
        let app = &app;
        let token = owner.access_token.clone();
        async move { app.json_authed(Method::POST, "/polls", &token, &body).await }
    };
    post(json!({"question": "q", "options": ["only one"]}))
        .await
        .assert_problem(422, "validation_failed");
    let many: Vec<String> = (0..21).map(|i| format!("o{i}")).collect();
    post(json!({"question": "q", "options": many}))
        .await
        .assert_problem(422, "validation_failed");
    post(json!({"question": " ", "options": ["a", "b"]}))
        .await
        .assert_problem(422, "validation_failed");
    post(json!({"question": "q", "options": ["a", "b"], "closesAt": "2001-01-01T00:00:00Z"}))
        .await
        .assert_problem(422, "validation_failed");
    post(json!({"question": "q", "options": "a,b"}))
        .await
        .assert_problem(422, "validation_failed");
    app.post("/polls", &json!({"question": "q", "options": ["a", "b"]}))
        .await
        .assert_problem(401, "missing_token");
    app.get("/polls/not-a-uuid")
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/polls/{}", uuid::Uuid::now_v7()))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_poll_closes_on_its_own_at_its_closing_time() {
    let app = app().await;
    let owner = app.register_user().await;
    let closes_at = chrono::Utc::now() + chrono::Duration::milliseconds(700);
    let poll = create_poll(&app, &owner, &["A", "B"], json!({"closesAt": closes_at})).await;
    let token = voter_token(&app).await;
    assert_eq!(
        vote_as(&app, Method::POST, &poll, &token, &[0])
            .await
            .status,
        201
    );
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    let late = voter_token(&app).await;
    vote_as(&app, Method::POST, &poll, &late, &[1])
        .await
        .assert_problem(409, "poll_closed");
    assert!(!get_poll(&app, poll.id).await.open);
}
