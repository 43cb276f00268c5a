//! The file store directly: group commit, durability across reopen, corrupt and locked
//! files, leftovers of a crash.

use std::sync::Arc;

use groundwork_books::BookStore;
use groundwork_books::model::BookFields;
use groundwork_books::store::{Change, Outcome, StoreError, WriterLimits};
use groundwork_platform::auth::AuthUser;
use uuid::Uuid;

const LIMITS: WriterLimits = WriterLimits {
    max_batch: 4096,
    max_books: 1_000_000,
};

fn actor() -> AuthUser {
    AuthUser {
        id: Uuid::now_v7(),
        role: "user".into(),
    }
}

fn fields(n: usize) -> BookFields {
    BookFields {
        title: format!("Book {n}"),
        authors: vec!["Author".into()],
        isbn: None,
        published_year: Some(2000),
        tags: vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_share_rewrites_of_the_file_and_all_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.json");
    let store = BookStore::open(&path, LIMITS).unwrap();
    let who = actor();
    let writes = (0..300).map(|n| {
        let store = store.clone();
        let who = who.clone();
        tokio::spawn(async move { store.change(Change::Create(fields(n)), who).await })
    });
    let mut ids = Vec::new();
    for result in futures_util::future::join_all(writes).await {
        match result.unwrap().unwrap() {
            Outcome::Saved(entry) => ids.push(entry.book.id),
            Outcome::Deleted => unreachable!(),
        }
    }
    let rewrites = store.file_writes();
    assert!(rewrites >= 1);
    assert!(
        rewrites <= 150,
        "300 concurrent writes took {rewrites} rewrites: not grouped"
    );

    // Every acknowledged write is in the file, which parses.
    let text = std::fs::read_to_string(&path).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["books"].as_array().unwrap().len(), 300);
    drop(store);
    // The writer releases the lock once its queue is closed.
    let reopened = loop {
        match BookStore::open(&path, LIMITS) {
            Ok(store) => break store,
            Err(StoreError::Locked { .. }) => tokio::task::yield_now().await,
            Err(other) => panic!("{other}"),
        }
    };
    let catalog = reopened.snapshot();
    assert_eq!(catalog.len(), 300);
    assert!(ids.iter().all(|id| catalog.get(id).is_some()));
}

#[tokio::test]
async fn a_corrupt_file_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.json");
    for garbage in [
        "{\"format\":\"groundwork-books\",\"version\":1,\"books\":[{\"id\":",
        "[]",
        "{\"format\":\"other\",\"version\":1,\"books\":[]}",
    ] {
        std::fs::write(&path, garbage).unwrap();
        let error = BookStore::open(&path, LIMITS).err().expect("refused");
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
        assert!(error.to_string().contains("was not modified"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), garbage);
    }
}

#[tokio::test]
async fn duplicate_ids_or_isbns_in_the_file_are_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.json");
    let book = serde_json::json!({"id": Uuid::now_v7(), "title": "t", "authors": ["a"], "isbn": "9780306406157", "publishedYear": null, "tags": [], "createdBy": Uuid::now_v7(), "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"});
    let mut twin = book.clone();
    twin["id"] = serde_json::json!(Uuid::now_v7());
    let document =
        serde_json::json!({"format": "groundwork-books", "version": 1, "books": [book, twin]});
    std::fs::write(&path, document.to_string()).unwrap();
    let error = BookStore::open(&path, LIMITS).err().expect("refused");
    assert!(
        error
            .to_string()
            .contains("ISBN 9780306406157 appears twice"),
        "{error}"
    );
}

#[tokio::test]
async fn a_second_store_on_the_same_file_is_refused_while_the_first_lives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.json");
    let first = BookStore::open(&path, LIMITS).unwrap();
    let error = BookStore::open(&path, LIMITS).err().expect("locked");
    assert!(matches!(error, StoreError::Locked { .. }), "{error}");
    drop(first);
}

#[tokio::test]
async fn an_unfinished_temporary_file_from_a_crash_is_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.json");
    {
        let store = BookStore::open(&path, LIMITS).unwrap();
        store
            .change(Change::Create(fields(1)), actor())
            .await
            .unwrap();
    }
    let before = std::fs::read_to_string(&path).unwrap();
    let temp = dir.path().join("books.json.tmp");
    std::fs::write(&temp, "{\"format\":\"groundwork-books\",\"vers").unwrap();
    let store = loop {
        match BookStore::open(&path, LIMITS) {
            Ok(store) => break store,
            Err(StoreError::Locked { .. }) => tokio::task::yield_now().await,
            Err(other) => panic!("{other}"),
        }
    };
    assert!(!temp.exists());
    assert_eq!(store.snapshot().len(), 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let _keep: Arc<_> = store.snapshot();
}
