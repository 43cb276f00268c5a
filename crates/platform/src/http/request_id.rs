//! The request id: the client's `X-Request-Id` if it is a sane token, else a new random
//! UUID (v4: an order of magnitude cheaper to make than a time-ordered v7, and log lines
//! carry their own timestamps).

use axum::http::{HeaderMap, HeaderValue};
use uuid::Uuid;

use super::REQUEST_ID;

/// Longest client-supplied id we keep; longer ones are replaced.
const MAX_LEN: usize = 128;

/// The id for this request.
pub fn for_request(headers: &HeaderMap) -> HeaderValue {
    if let Some(given) = headers.get(REQUEST_ID) {
        let bytes = given.as_bytes();
        if !bytes.is_empty()
            && bytes.len() <= MAX_LEN
            && bytes.iter().all(|b| (0x21..=0x7e).contains(b))
        {
            return given.clone();
        }
    }
    generate()
}

fn generate() -> HeaderValue {
    let mut buffer = [0u8; 36];
    let text = Uuid::new_v4().hyphenated().encode_lower(&mut buffer);
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_client_id_is_kept_and_anything_else_replaced() {
        let mut headers = HeaderMap::new();
        assert_eq!(for_request(&headers).len(), 36);
        headers.insert(REQUEST_ID, HeaderValue::from_static("trace-123"));
        assert_eq!(for_request(&headers), "trace-123");
        headers.insert(REQUEST_ID, HeaderValue::from_static("has space"));
        assert_ne!(for_request(&headers), "has space");
        headers.insert(REQUEST_ID, HeaderValue::from_str(&"x".repeat(200)).unwrap());
        assert_eq!(for_request(&headers).len(), 36);
    }
}
