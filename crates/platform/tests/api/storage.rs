//! The blob-storage contract, run against the local directory and, when
//! `GROUNDWORK_TEST_S3_URL` is set, an S3-compatible server.

use bytes::Bytes;
use groundwork_platform::storage::{BlobStore, StorageSettings};
use groundwork_platform::testing::{TestApp, s3_url};

async fn contract(store: &BlobStore) {
    assert_eq!(store.get("notes/missing.md").await.unwrap(), None);
    store.delete("notes/missing.md").await.unwrap();

    store
        .put("notes/a/1.md", Bytes::from_static(b"first"))
        .await
        .unwrap();
    store
        .put("notes/a/2.md", Bytes::from_static(b"second"))
        .await
        .unwrap();
    store
        .put("other/x", Bytes::from_static(b"x"))
        .await
        .unwrap();
    assert_eq!(
        store.get("notes/a/1.md").await.unwrap().as_deref(),
        Some(&b"first"[..])
    );

    store
        .put("notes/a/1.md", Bytes::from_static(b"replaced"))
        .await
        .unwrap();
    assert_eq!(
        store.get("notes/a/1.md").await.unwrap().as_deref(),
        Some(&b"replaced"[..])
    );

    let mut listed: Vec<(String, u64)> = store
        .list("notes")
        .await
        .unwrap()
        .into_iter()
        .map(|meta| (meta.key, meta.size))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            ("notes/a/1.md".to_owned(), 8),
            ("notes/a/2.md".to_owned(), 6)
        ]
    );

    store.delete("notes/a/1.md").await.unwrap();
    assert_eq!(store.get("notes/a/1.md").await.unwrap(), None);
    assert_eq!(store.list("notes").await.unwrap().len(), 1);
    store.check().await.unwrap();
    assert!(
        store.put("../escape", Bytes::new()).await.is_err(),
        "no path traversal"
    );
}

#[tokio::test]
async fn the_local_directory_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::from_settings(&StorageSettings::default(), dir.path()).unwrap();
    assert_eq!(store.backend_name(), "local");
    contract(&store).await;
    assert!(
        dir.path().join("blobs/other/x").is_file(),
        "under data_dir/blobs"
    );
}

#[tokio::test]
async fn the_configured_store_keeps_the_contract() {
    // With GROUNDWORK_TEST_S3_URL set the test app stores in the S3 test bucket.
    let app = TestApp::builder().spawn().await;
    let expected = if s3_url().is_some() { "s3" } else { "local" };
    assert_eq!(app.platform.blobs().backend_name(), expected);
    contract(app.platform.blobs()).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.text());
}
