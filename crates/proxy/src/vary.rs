//! `Vary` (RFC 9111 §4.1): a stored response answers only requests whose header fields
//! named by its `Vary` match those of the request that fetched it.

use http::header::VARY;
use http::{HeaderMap, HeaderName};

/// The request header fields a response varies on, with the values the request that
/// fetched it had (`None`: absent). Empty for a response without `Vary`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selecting(Vec<(HeaderName, Option<String>)>);

impl Selecting {
    /// The fields `response` names in `Vary`, as `request` had them. (`Vary: *` is never
    /// stored: see [`crate::storable`].)
    pub fn capture(response: &HeaderMap, request: &HeaderMap) -> Self {
        let mut names: Vec<HeaderName> = response
            .get_all(VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
            .collect();
        names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        names.dedup();
        Self(
            names
                .into_iter()
                .map(|name| {
                    let value = normalised(request, &name);
                    (name, value)
                })
                .collect(),
        )
    }

    /// Whether `request` selects the stored response.
    pub fn matches(&self, request: &HeaderMap) -> bool {
        self.0
            .iter()
            .all(|(name, value)| normalised(request, name) == *value)
    }

    /// The field names and values, for storing.
    pub fn fields(&self) -> &[(HeaderName, Option<String>)] {
        &self.0
    }

    /// Rebuilt from stored fields.
    pub fn from_fields(fields: Vec<(HeaderName, Option<String>)>) -> Self {
        Self(fields)
    }
}

/// A field's value for comparison (§4.1): its lines combined with ", ", and whitespace
/// around each list member dropped, so that equivalent spellings match.
fn normalised(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let mut members = Vec::new();
    let mut present = false;
    for line in headers.get_all(name) {
        present = true;
        let text = String::from_utf8_lossy(line.as_bytes());
        members.extend(text.split(',').map(|m| m.trim().to_owned()));
    }
    present.then(|| members.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    #[test]
    fn only_matching_requests_are_selected() {
        let response = headers(&[("vary", "Accept-Encoding, accept-language")]);
        let fetched = headers(&[("accept-encoding", "gzip"), ("accept-language", "en")]);
        let selecting = Selecting::capture(&response, &fetched);
        assert!(selecting.matches(&fetched));
        assert!(!selecting.matches(&headers(&[("accept-encoding", "gzip")])));
        assert!(!selecting.matches(&headers(&[
            ("accept-encoding", "br"),
            ("accept-language", "en")
        ])));
    }

    #[test]
    fn absence_is_a_value_and_spellings_are_normalised() {
        let response = headers(&[("vary", "accept")]);
        let selecting = Selecting::capture(&response, &HeaderMap::new());
        assert!(selecting.matches(&headers(&[("other", "x")])));
        assert!(!selecting.matches(&headers(&[("accept", "text/html")])));
        let spaced = Selecting::capture(&response, &headers(&[("accept", "a/b,  c/d")]));
        assert!(spaced.matches(&headers(&[("accept", "a/b"), ("accept", "c/d")])));
    }

    #[test]
    fn no_vary_matches_everything() {
        let selecting = Selecting::capture(&HeaderMap::new(), &headers(&[("accept", "x")]));
        assert!(selecting.fields().is_empty());
        assert!(selecting.matches(&headers(&[("accept", "y")])));
    }
}
