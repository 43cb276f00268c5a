//! Grammar and spelling checks, of text, of markdown and of saved notes, and the
//! per-account dictionary.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{app, create, id_of};

fn issue_texts(body: &Value) -> Vec<(String, String)> {
    body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn plain_text_issues_come_with_byte_and_line_spans_and_suggestions() {
    let app = app().await;
    let user = app.register_user().await;
    let text = "Héllo there.\nThis is an speling mistake.";
    let response = app
        .json_authed(
            Method::POST,
            "/notes/grammar",
            &user.access_token,
            &json!({ "text": text }),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    let spelling = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"] == "speling")
        .unwrap_or_else(|| panic!("no issue for speling in {body}"));
    assert_eq!(spelling["kind"], "spelling");
    assert_eq!(spelling["text"], "speling");
    let start = usize::try_from(spelling["start"].as_u64().unwrap()).unwrap();
    let end = usize::try_from(spelling["end"].as_u64().unwrap()).unwrap();
    assert_eq!(&text[start..end], "speling", "byte offsets into the text");
    assert_eq!(
        (spelling["line"].as_u64(), spelling["column"].as_u64()),
        (Some(2), Some(12))
    );
    assert_eq!(spelling["endColumn"], 19);
    assert!(
        spelling["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "spelling"),
        "{spelling}"
    );
    assert!(
        issue_texts(&body).iter().any(|(_, t)| t == "an"),
        "the article before a consonant is flagged: {body}"
    );
    assert_eq!(body["count"], body["issues"].as_array().unwrap().len());
}

#[tokio::test]
async fn markdown_code_urls_and_html_are_not_checked_and_spans_point_into_the_markdown() {
    let app = app().await;
    let user = app.register_user().await;
    let markdown = "# Titel\n\nSee `fnord_xyzzy` and https://exmaple.com/qwzx <span title=\"blorptag\">ok</span>.\n\n\
                    ```\nqwzxv mispeled inside code\n```\n\n<div class=\"zorpq\">\nsnarfblat\n</div>\n\nA realy bad word.\n";
    let response = app
        .json_authed(
            Method::POST,
            "/notes/grammar",
            &user.access_token,
            &json!({ "markdown": markdown }),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    let flagged: Vec<String> = issue_texts(&body).into_iter().map(|(_, t)| t).collect();
    assert!(flagged.contains(&"realy".to_owned()), "{body}");
    for unchecked in [
        "fnord_xyzzy",
        "exmaple",
        "qwzx",
        "blorptag",
        "qwzxv",
        "mispeled",
        "zorpq",
        "snarfblat",
    ] {
        assert!(
            !flagged.iter().any(|t| t.contains(unchecked)),
            "{unchecked} was checked: {body}"
        );
    }
    for issue in body["issues"].as_array().unwrap() {
        let (start, end) = (
            issue["start"].as_u64().unwrap(),
            issue["end"].as_u64().unwrap(),
        );
        let span = &markdown[usize::try_from(start).unwrap()..usize::try_from(end).unwrap()];
        assert_eq!(span, issue["text"].as_str().unwrap());
    }
}

#[tokio::test]
async fn a_saved_note_is_checked_and_dictionary_words_are_not_misspellings() {
    let app = app().await;
    let user = app.register_user().await;
    let other = app.register_user().await;
    let id = id_of(
        &create(
            &app,
            &user,
            "# Notes\n\nWe deploy with Groundworkz on Kubernetez.\n",
        )
        .await,
    );
    let path = format!("/notes/{id}/grammar");
    let before = app.get_authed(&path, &user.access_token).await.json();
    let spelled: Vec<String> = issue_texts(&before)
        .into_iter()
        .filter(|(kind, _)| kind == "spelling")
        .map(|(_, t)| t)
        .collect();
    assert!(spelled.contains(&"Groundworkz".to_owned()), "{before}");

    let added = app
        .json_authed(
            Method::POST,
            "/notes/dictionary",
            &user.access_token,
            &json!({ "word": "GROUNDWORKZ" }),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text());
    let after = app.get_authed(&path, &user.access_token).await.json();
    let spelled_after: Vec<String> = issue_texts(&after).into_iter().map(|(_, t)| t).collect();
    assert!(
        !spelled_after.contains(&"Groundworkz".to_owned()),
        "{after}"
    );
    assert!(spelled_after.contains(&"Kubernetez".to_owned()), "{after}");

    let words = app
        .get_authed("/notes/dictionary", &user.access_token)
        .await
        .json();
    assert_eq!(words["words"], json!(["groundworkz"]));
    let others = app
        .get_authed("/notes/dictionary", &other.access_token)
        .await
        .json();
    assert_eq!(others["words"], json!([]), "dictionaries are per account");

    let removed = app
        .call(
            Method::DELETE,
            "/notes/dictionary/groundworkz",
            Some(&user.access_token),
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let again = app
        .call(
            Method::DELETE,
            "/notes/dictionary/groundworkz",
            Some(&user.access_token),
            None,
        )
        .await;
    again.assert_problem(404, "not_found");
}

#[tokio::test]
async fn grammar_requests_need_exactly_one_text_and_a_known_dialect() {
    let app = app().await;
    let user = app.register_user().await;
    for body in [json!({}), json!({ "text": "a", "markdown": "b" })] {
        let response = app
            .json_authed(Method::POST, "/notes/grammar", &user.access_token, &body)
            .await;
        response.assert_problem(422, "validation_failed");
    }
    let dialect = app
        .json_authed(
            Method::POST,
            "/notes/grammar",
            &user.access_token,
            &json!({ "text": "colour", "dialect": "klingon" }),
        )
        .await;
    assert_eq!(dialect.status, 422, "{}", dialect.text());
    let british = app
        .json_authed(
            Method::POST,
            "/notes/grammar",
            &user.access_token,
            &json!({ "text": "The colour of the organisation.", "dialect": "british" }),
        )
        .await
        .json();
    assert_eq!(british["count"], 0, "{british}");
    for word in ["", "two words", "<b>", &"a".repeat(65)] {
        let response = app
            .json_authed(
                Method::POST,
                "/notes/dictionary",
                &user.access_token,
                &json!({ "word": word }),
            )
            .await;
        response.assert_problem(422, "validation_failed");
    }
}
