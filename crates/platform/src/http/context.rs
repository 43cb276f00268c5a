//! What the pipeline learns about a request before its handler runs, stored as one
//! request extension (one allocation instead of one per item): the client address, the
//! token verifier, and the claims of a bearer token it has already verified.

use std::net::IpAddr;
use std::sync::Arc;

use crate::auth::tokens::{AccessTokens, Claims};

/// Per-request facts for extractors; inserted by [`super::guard::Guard::admit`].
#[derive(Clone)]
pub struct RequestContext {
    /// The client's address (see [`super::client_ip::ClientIp`]).
    pub client_ip: IpAddr,
    /// Verifies bearer tokens.
    pub(crate) tokens: Arc<AccessTokens>,
    /// The bearer token's claims, if the request carried a valid one.
    pub(crate) claims: Option<Claims>,
}
