//! Response bodies: whole ones from the cache, streamed ones from the origin, and the tee
//! that streams an origin body to the client while keeping a copy for the cache.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};

/// Any error a body can end with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A streamed body of any kind.
pub type Streamed = Pin<Box<dyn Body<Data = Bytes, Error = BoxError> + Send>>;

/// What the proxy answers with.
pub enum ProxyBody {
    /// All of it at once (from the cache, or an error message).
    Whole(Option<Bytes>),
    /// As it arrives from the origin.
    Stream(Streamed),
}

impl ProxyBody {
    /// No body (HEAD, 304).
    pub fn empty() -> Self {
        Self::Whole(None)
    }

    /// These bytes.
    pub fn whole(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Self::Whole((!bytes.is_empty()).then_some(bytes))
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            Self::Whole(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
            Self::Stream(body) => body.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Whole(bytes) => bytes.is_none(),
            Self::Stream(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Self::Stream(body) => body.size_hint(),
        }
    }
}

/// Called with the whole body once it has arrived complete.
pub type OnComplete = Box<dyn FnOnce(Bytes) + Send>;

/// Passes an origin body through frame by frame, keeping a copy up to `limit` bytes; if
/// the body ends cleanly within the limit, `on_complete` gets the copy. The end is either
/// the inner body's end or, when its length was announced, the last announced byte: hyper
/// stops polling a body once it has written `Content-Length` bytes. Past the limit,
/// or on an error, the copy is dropped (and `on_complete` with it, unused): nothing
/// half-received is ever stored.
pub struct Tee {
    inner: Streamed,
    copy: Option<BytesMut>,
    limit: usize,
    expected: Option<usize>,
    on_complete: Option<OnComplete>,
}

impl Tee {
    /// A tee of `inner`.
    pub fn new(inner: Streamed, limit: usize, on_complete: OnComplete) -> Self {
        let expected = inner
            .size_hint()
            .exact()
            .and_then(|n| usize::try_from(n).ok());
        let capacity = expected.filter(|n| *n <= limit).unwrap_or(0);
        let mut tee = Self {
            inner,
            copy: Some(BytesMut::with_capacity(capacity)),
            limit,
            expected,
            on_complete: Some(on_complete),
        };
        if expected == Some(0) {
            tee.complete();
        }
        tee
    }

    fn complete(&mut self) {
        if let (Some(copy), Some(on_complete)) = (self.copy.take(), self.on_complete.take()) {
            on_complete(copy.freeze());
        }
    }

    fn give_up(&mut self) {
        self.copy = None;
        self.on_complete = None;
    }
}

impl Body for Tee {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let polled = this.inner.as_mut().poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let fits = this
                        .copy
                        .as_ref()
                        .is_some_and(|copy| copy.len() + data.len() <= this.limit);
                    match (&mut this.copy, fits) {
                        (Some(copy), true) => {
                            copy.extend_from_slice(data);
                            if this.expected == Some(copy.len()) {
                                this.complete();
                            }
                        }
                        _ => this.give_up(),
                    }
                }
            }
            Poll::Ready(Some(Err(_))) => this.give_up(),
            Poll::Ready(None) => this.complete(),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        // Never claim the end early: the final poll is what hands the copy over.
        false
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};
    use std::sync::{Arc, Mutex};

    fn stream(chunks: Vec<Result<&'static [u8], &'static str>>) -> Streamed {
        let frames = chunks.into_iter().map(|chunk| {
            chunk
                .map(|bytes| Frame::data(Bytes::from_static(bytes)))
                .map_err(BoxError::from)
        });
        Box::pin(StreamBody::new(futures_util::stream::iter(frames)))
    }

    async fn run(
        chunks: Vec<Result<&'static [u8], &'static str>>,
        limit: usize,
    ) -> (bool, Option<Bytes>) {
        let kept = Arc::new(Mutex::new(None));
        let into = kept.clone();
        let tee = Tee::new(
            stream(chunks),
            limit,
            Box::new(move |bytes| *into.lock().unwrap() = Some(bytes)),
        );
        let ok = tee.collect().await.is_ok();
        let kept = kept.lock().unwrap().take();
        (ok, kept)
    }

    #[tokio::test]
    async fn a_complete_body_is_kept() {
        assert_eq!(
            run(vec![Ok(b"ab"), Ok(b"cd")], 4).await,
            (true, Some(Bytes::from_static(b"abcd")))
        );
    }

    #[tokio::test]
    async fn a_body_over_the_limit_passes_through_but_is_not_kept() {
        assert_eq!(run(vec![Ok(b"ab"), Ok(b"cde")], 4).await, (true, None));
    }

    #[tokio::test]
    async fn a_body_cut_short_reaches_the_client_as_an_error_and_is_not_kept() {
        assert_eq!(
            run(vec![Ok(b"ab"), Err("connection reset")], 100).await,
            (false, None)
        );
    }
}
