//! An HTTP caching proxy: a shared cache as RFC 9111 describes it, in front of one origin.
//! The engine is a library so that the `caching-proxy` CLI, the CDN simulator and the load
//! balancer share it.
//!
//! - The caching rules, as pure functions: [`directives`], [`freshness`], [`storable`],
//!   [`reuse`], [`vary`], [`fields`], [`surrogate`].
//! - What is stored: [`entry`], kept by [`store`] in memory and on disk ([`codec`]).
//! - The proxy: [`target`] (what may be forwarded), [`origin`] (the client),
//!   [`handler`] (the cache logic), [`respond`], [`body`], [`inflight`] (coalescing),
//!   [`server`] (hyper), [`cli`].

pub mod body;
pub mod cli;
pub mod codec;
pub mod directives;
pub mod entry;
pub mod fields;
pub mod freshness;
pub mod handler;
pub mod inflight;
pub mod origin;
pub mod respond;
pub mod reuse;
pub mod server;
pub mod storable;
pub mod store;
pub mod surrogate;
pub mod target;
pub mod vary;

/// Helpers of this crate's unit tests.
#[cfg(test)]
mod test_support {
    use http::{HeaderMap, HeaderValue};

    /// A header map from name/value pairs, in order, a repeated name appended.
    pub fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }
}
