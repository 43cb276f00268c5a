//! The integration-test harness: [`TestApp`] runs the real application (the same
//! [`crate::app::build`] as `groundwork serve`) on `127.0.0.1:0` with a fresh database, and
//! offers typed request helpers and user fixtures.
//!
//! Each `TestApp` gets its own SQLite file in a temporary directory, or, when
//! `GROUNDWORK_TEST_POSTGRES_URL` is set, its own freshly created PostgreSQL database
//! (dropped afterwards). With `GROUNDWORK_REQUIRE_SERVICES=1`, a missing service URL fails
//! the test instead of skipping the service-specific part.

// A harness reports setup failures by panicking: that is how a test fails.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod response;
mod services;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use figment::Figment;
use figment::providers::Serialized;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Platform;
use crate::auth::email::Email;
use crate::auth::password::NewPassword;
use crate::auth::service::Registration;
use crate::config::Config;
use crate::system::{Mount, System};

pub use response::{LogCapture, TestResponse, TestUser};
pub use services::{
    S3_TEST_BUCKET, TestDatabase, ensure_s3_test_bucket, nats_url, postgres_url, redis_url,
    s3_test_storage, s3_url, services_required, unique_prefix, with_database,
};

/// Builds a [`TestApp`].
pub struct TestAppBuilder {
    systems: Vec<Arc<dyn System>>,
    paths: Vec<Option<String>>,
    figment: Figment,
}

impl TestAppBuilder {
    /// Mounts a system at its default path.
    pub fn system(mut self, system: impl System) -> Self {
        self.systems.push(Arc::new(system));
        self.paths.push(None);
        self
    }

    /// Mounts a system at `path` (`/` for the root, as `--mount shortener=/` does).
    pub fn system_at(mut self, system: impl System, path: &str) -> Self {
        self.systems.push(Arc::new(system));
        self.paths.push(Some(path.to_owned()));
        self
    }

    /// Sets a configuration key (dotted, as in `rate_limit.per_ip_burst`).
    pub fn config(mut self, key: &str, value: impl Serialize) -> Self {
        self.figment = self.figment.merge(Serialized::default(key, value));
        self
    }

    /// Starts the app.
    pub async fn spawn(self) -> TestApp {
        crate::telemetry::init_for_tests();
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let mut figment = Figment::new()
            .merge(Serialized::default("data_dir", dir.path()))
            // Tests send many requests from one address; rate-limit tests lower these.
            .merge(Serialized::default("rate_limit.per_ip_per_second", 100_000))
            .merge(Serialized::default("rate_limit.per_ip_burst", 100_000))
            .merge(Serialized::default("rate_limit.per_user_per_second", 100_000))
            .merge(Serialized::default("rate_limit.per_user_burst", 100_000));
        let database = match postgres_url() {
            Some(server) => {
                let (database, url) = TestDatabase::create(&server).await;
                figment = figment.merge(Serialized::default("database.url", url));
                Some(database)
            }
            None => None,
        };
        if let Some(endpoint) = s3_url() {
            ensure_s3_test_bucket(&endpoint).await;
            for (key, value) in s3_test_storage(&endpoint) {
                figment = figment.merge(Serialized::default(key, value));
            }
        }
        let config =
            Config::from_figment(figment.merge(self.figment)).expect("valid test configuration");
        let platform = Platform::new(config, &self.systems)
            .await
            .expect("start the platform");
        platform
            .migrate(&self.systems)
            .await
            .expect("migrate the test database");
        let mounts: Vec<Mount> = self
            .systems
            .iter()
            .cloned()
            .zip(self.paths)
            .map(|(system, path)| match path {
                Some(path) => Mount { system, path },
                None => Mount::default_for(system),
            })
            .collect();
        let app = crate::app::build(&platform, &mounts).expect("build the app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let shutdown = platform.shutdown_token().clone();
        // The systems' workers (flushers, cleaners) run as under `groundwork serve`.
        let tasks = self
            .systems
            .iter()
            .flat_map(|system| system.background_tasks(&platform))
            .collect();
        let tasks = crate::server::start_tasks(tasks, &shutdown);
        let server = tokio::spawn(crate::server::serve(
            listener,
            app.router,
            shutdown,
            std::time::Duration::from_secs(5),
        ));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build an HTTP client");
        TestApp {
            address,
            platform,
            client,
            openapi: app.openapi,
            server: Some(server),
            tasks,
            _database: database,
            _dir: dir,
        }
    }
}

/// A running application; see the module docs.
pub struct TestApp {
    /// Where it listens.
    pub address: SocketAddr,
    /// Its platform (database, auth service, ...), for arranging and checking state.
    pub platform: Platform,
    /// An HTTP client that does not follow redirects.
    pub client: reqwest::Client,
    /// The OpenAPI document it serves.
    pub openapi: utoipa::openapi::OpenApi,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    tasks: tokio_util::task::TaskTracker,
    // Declared last: dropped after the server is stopped.
    _database: Option<TestDatabase>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.platform.shutdown_token().cancel();
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

impl TestApp {
    /// A builder with no systems mounted (only the built-in routes).
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            systems: Vec::new(),
            paths: Vec::new(),
            figment: Figment::new(),
        }
    }

    /// An app with the auth system mounted at `/auth`.
    pub async fn with_auth() -> Self {
        Self::builder()
            .system(crate::auth::AuthSystem)
            .spawn()
            .await
    }

    /// Shuts down as `groundwork serve` does on SIGTERM: stops accepting, drains the
    /// requests in flight, then waits for the background tasks (their final flushes). The
    /// database stays open, so a test can check what was written.
    pub async fn shut_down(&mut self) {
        self.platform.shutdown_token().cancel();
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
        crate::server::stop_tasks(self.tasks.clone(), std::time::Duration::from_secs(10)).await;
    }

    /// The absolute URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A request builder for anything the helpers do not cover.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Sends a request and reads the whole response.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> TestResponse {
        let response = request.send().await.expect("send the request");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("read the body").to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `method path`, with a bearer token and a JSON body when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = self.request(method, path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(self.request(Method::GET, path)).await
    }

    /// `GET path` with a bearer token.
    pub async fn get_authed(&self, path: &str, token: &str) -> TestResponse {
        self.send(self.request(Method::GET, path).bearer_auth(token))
            .await
    }

    /// `method path` with a JSON body.
    pub async fn json(&self, method: Method, path: &str, body: &Value) -> TestResponse {
        self.send(self.request(method, path).json(body)).await
    }

    /// `method path` with a JSON body and a bearer token.
    pub async fn json_authed(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> TestResponse {
        self.send(self.request(method, path).bearer_auth(token).json(body))
            .await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.json(Method::POST, path, body).await
    }

    /// `POST /auth/refresh` with this refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> TestResponse {
        self.post("/auth/refresh", &json!({ "refresh_token": refresh_token }))
            .await
    }

    /// The same `POST` sent `times` times at once (for races: double submits, guessing).
    pub async fn post_concurrently(
        &self,
        path: &str,
        body: &Value,
        times: usize,
    ) -> Vec<TestResponse> {
        futures_util::future::join_all((0..times).map(|_| self.post(path, body))).await
    }

    /// Registers a new account with a unique email through `POST /auth/register`.
    pub async fn register_user(&self) -> TestUser {
        let email = format!("user-{}@example.com", Uuid::now_v7().simple());
        self.register(&email, "correct horse battery").await
    }

    /// Registers an account with this email and password.
    pub async fn register(&self, email: &str, password: &str) -> TestUser {
        let response = self
            .post(
                "/auth/register",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "registration failed: {}",
            response.text()
        );
        user_from(&response.json(), email, password)
    }

    /// Logs in through `POST /auth/login`.
    pub async fn login(&self, email: &str, password: &str) -> TestUser {
        let response = self
            .post(
                "/auth/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "login failed: {}",
            response.text()
        );
        user_from(&response.json(), email, password)
    }

    /// An account with the given role, created directly through the auth service (as the
    /// `groundwork users create` command does), then logged in.
    pub async fn user_with_role(&self, role: &str) -> TestUser {
        let email = format!("{role}-{}@example.com", Uuid::now_v7().simple());
        let password = "correct horse battery";
        let registration = Registration {
            email: Email::parse(&email).unwrap(),
            password: NewPassword::parse("password", password).unwrap(),
            name: None,
        };
        self.platform
            .auth()
            .create_user(registration, role)
            .await
            .expect("create the user");
        self.login(&email, password).await
    }

    /// An admin, logged in.
    pub async fn admin(&self) -> TestUser {
        self.user_with_role(crate::auth::role::ADMIN).await
    }
}

fn user_from(body: &Value, email: &str, password: &str) -> TestUser {
    TestUser {
        id: body["user"]["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("user.id in the token response"),
        email: email.to_owned(),
        password: password.to_owned(),
        access_token: body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned(),
        refresh_token: body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
    }
}
