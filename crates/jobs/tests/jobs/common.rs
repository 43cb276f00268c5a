//! Helpers shared by the jobs-service tests: the app with a worker running its kinds, a
//! webhook receiver that answers a scripted series of statuses, and a fake SMTP server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode};
use groundwork_jobs::JobsSystem;
use groundwork_platform::System;
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::jobs::{Registry, Worker, WorkerOptions};
use groundwork_platform::testing::{TestApp, TestAppBuilder, TestResponse, TestUser};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;

pub fn builder() -> TestAppBuilder {
    TestApp::builder().system(AuthSystem).system(JobsSystem)
}

/// The app, an admin, and (unless stopped) a worker running the service's kinds.
pub struct Harness {
    pub app: TestApp,
    pub admin: TestUser,
    worker: CancellationToken,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.worker.cancel();
    }
}

pub async fn harness(builder: TestAppBuilder) -> Harness {
    let app = builder.spawn().await;
    let admin = app.admin().await;
    let mut registry = Registry::new();
    JobsSystem.jobs(&app.platform, &mut registry).unwrap();
    let options = WorkerOptions {
        queues: Vec::new(),
        concurrency: 8,
        prefetch: 0,
        lease: Duration::from_secs(3),
        poll_interval: Duration::from_millis(50),
        shutdown_grace: Duration::from_secs(2),
        retention: Duration::from_secs(3600),
    };
    let worker = CancellationToken::new();
    tokio::spawn(Worker::new(app.platform.db().clone(), registry, options).run(worker.clone()));
    Harness { app, admin, worker }
}

impl Harness {
    pub async fn enqueue(&self, body: &Value) -> TestResponse {
        self.app
            .json_authed(Method::POST, "/jobs", &self.admin.access_token, body)
            .await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.app.get_authed(path, &self.admin.access_token).await
    }

    pub async fn post(&self, path: &str) -> TestResponse {
        self.app
            .json_authed(Method::POST, path, &self.admin.access_token, &Value::Null)
            .await
    }

    /// Polls the job until `done` holds (10 s at most) and returns it.
    pub async fn wait_for_job(&self, id: i64, done: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..500 {
            last = self.get(&format!("/jobs/{id}")).await.json();
            if done(&last) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("job {id} never reached the expected state: {last}");
    }

    pub async fn wait_for_state(&self, id: i64, state: &str) -> Value {
        self.wait_for_job(id, |job| job["state"] == state).await
    }
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A webhook receiver on 127.0.0.1 answering the scripted statuses in order, then 200.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

pub async fn receiver(statuses: &[u16]) -> Receiver {
    let script: Arc<Mutex<VecDeque<u16>>> =
        Arc::new(Mutex::new(statuses.iter().copied().collect()));
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let log = received.clone();
    let handler = move |headers: HeaderMap, body: axum::body::Bytes| {
        let script = script.clone();
        let log = log.clone();
        async move {
            log.lock().unwrap().push(Received {
                headers,
                body: body.to_vec(),
            });
            let status = script.lock().unwrap().pop_front().unwrap_or(200);
            (StatusCode::from_u16(status).unwrap(), "receiver says hi")
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Receiver { url, received }
}

impl Receiver {
    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

/// One message the fake SMTP server accepted.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// A minimal SMTP server (no TLS, no auth) on 127.0.0.1: it accepts every message except
/// those to recipients starting with `reject`, which get a permanent 550.
pub async fn smtp_server() -> (String, Arc<Mutex<Vec<Mail>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
    let store = mails.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(smtp_session(stream, store.clone()));
        }
    });
    (url, mails)
}

async fn smtp_session(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 fake.smtp ready\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-fake.smtp\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..].trim().to_owned();
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let recipient = line[8..].trim().trim_matches(['<', '>']).to_owned();
            if recipient.starts_with("reject") {
                b"550 5.1.1 no such mailbox\r\n"
            } else {
                to.push(recipient);
                b"250 ok\r\n"
            }
        } else if upper == "DATA" {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                data.push_str(&line);
                data.push('\n');
            }
            mails.lock().unwrap().push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 ok\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
