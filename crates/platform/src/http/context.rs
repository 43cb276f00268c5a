//! What the pipeline learns about a request before its handler runs, stored as one
//! request extension (one allocation instead of one per item): the client address, the
//! auth service, and the claims of a bearer token it has already verified.

use std::net::IpAddr;

use crate::auth::service::AuthService;
use crate::auth::tokens::Claims;

/// Per-request facts for extractors; inserted by [`super::guard::Guard::admit`].
#[derive(Clone)]
pub struct RequestContext {
    /// The client's address (see [`super::client_ip::ClientIp`]).
    pub client_ip: IpAddr,
    /// Verifies tokens and looks up accounts.
    pub(crate) auth: AuthService,
    /// The bearer token's claims, if the request carried a valid one.
    pub(crate) claims: Option<Claims>,
}
