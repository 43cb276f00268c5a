//! An HTTP caching proxy: a shared cache as RFC 9111 describes it, in front of one origin.
//! The engine is a library so that the `caching-proxy` CLI, the CDN simulator and the load
//! balancer share it.
//!
//! So far: the caching rules themselves, as pure functions ([`directives`], [`fields`],
//! [`freshness`], [`storable`], [`reuse`], [`vary`]). The server, the stores and the CLI
//! come next (see docs/systems/caching-proxy.md).

pub mod directives;
pub mod fields;
pub mod freshness;
pub mod reuse;
pub mod storable;
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
