//! The one middleware every request passes through. It does, in order: request id,
//! request span, CORS preflight, admission (body size, client address, token, rate
//! limits), the handler under a timeout with panics caught; then on the way out: security
//! headers, CORS headers, the request id, compression, metrics and the access log.
//!
//! These are the jobs of a dozen tower layers; done in one service they cost one boxed
//! future instead of a dozen, and skip all work that does not apply (no `Origin`, no
//! compression of small bodies).
//! `bench/hello.sh` measures what is left against a bare axum handler.

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tower::{Layer, Service};
use tracing::Instrument;

use super::cors::Cors;
use super::guard::Guard;
use super::metrics::RequestMetrics;
use super::{REQUEST_ID, compress, request_id, security, trace};
use crate::config::ServerSettings;
use crate::error::ApiError;

/// Everything the pipeline needs, built once per app.
pub struct Pipeline {
    guard: Guard,
    cors: Cors,
    metrics: RequestMetrics,
    timeout: Duration,
    hsts: bool,
}

impl Pipeline {
    /// A pipeline for these settings.
    pub fn new(server: &ServerSettings, guard: Guard) -> Self {
        Self {
            guard,
            cors: Cors::new(&server.cors_allowed_origins),
            metrics: RequestMetrics::default(),
            timeout: Duration::from_secs(server.request_timeout_secs),
            hsts: server.hsts,
        }
    }
}

/// The pipeline as a tower layer, for `Router::layer`.
#[derive(Clone)]
pub struct PipelineLayer(pub Arc<Pipeline>);

impl<S> Layer<S> for PipelineLayer {
    type Service = PipelineService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PipelineService {
            inner,
            pipeline: self.0.clone(),
        }
    }
}

/// The pipeline around one route.
#[derive(Clone)]
pub struct PipelineService<S> {
    inner: S,
    pipeline: Arc<Pipeline>,
}

impl<S> Service<Request> for PipelineService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The instance that was polled ready handles this request; the clone stays for the
        // next one (the usual tower pattern).
        let spare = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, spare);
        let pipeline = self.pipeline.clone();
        Box::pin(async move { Ok(handle(&pipeline, ready, request).await) })
    }
}

async fn handle<S>(pipeline: &Pipeline, inner: S, request: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible> + Send,
    S::Future: Send,
{
    let started = Instant::now();
    let request_id = request_id::for_request(request.headers());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let span = trace::request_span(request.method(), route, &request_id);
    // Everything below runs inside the span, so the access log needs no extra scope.
    async move {
        let _in_flight = pipeline.metrics.start();
        let method = request.method().clone();
        let origin = request.headers().get(header::ORIGIN).cloned();
        let accepted = compress::Accepted::from_headers(request.headers());

        let mut response = match pipeline.cors.preflight(&request) {
            Some(preflight) => preflight,
            None => run(pipeline, inner, request, started).await,
        };

        let headers = response.headers_mut();
        headers.reserve(5);
        security::add(headers, pipeline.hsts);
        pipeline.cors.decorate(origin.as_ref(), headers);
        headers.insert(REQUEST_ID, request_id);
        // The compressing future is large; boxing it keeps this function's future small for
        // the common case of a small response.
        let response = if compress::worthwhile(accepted, &response) {
            Box::pin(compress::compress(accepted, response)).await
        } else {
            response
        };
        let status = response.status();
        let elapsed = started.elapsed();
        pipeline
            .metrics
            .record(&method, route, status.as_u16(), elapsed);
        trace::finish(status, elapsed);
        response
    }
    .instrument(span)
    .await
}

async fn run<S>(pipeline: &Pipeline, mut inner: S, request: Request, started: Instant) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible> + Send,
    S::Future: Send,
{
    let request = match pipeline.guard.admit(request).await {
        Ok(request) => request,
        Err(refused) => return refused.into_response(),
    };
    let handler = AssertUnwindSafe(inner.call(request)).catch_unwind();
    // Measured from the start of the request, which also saves reading the clock again.
    let deadline = tokio::time::Instant::from_std(started) + pipeline.timeout;
    match tokio::time::timeout_at(deadline, handler).await {
        Ok(Ok(Ok(response))) => response,
        Ok(Ok(Err(never))) => match never {},
        Ok(Err(panic)) => panic_response(panic),
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s",
                pipeline.timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// A handler panic becomes an opaque 500 problem. The panic itself was already logged,
/// with its location and inside the request span, by the panic hook.
fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal("handler panicked")
        .already_logged()
        .into_response()
}
