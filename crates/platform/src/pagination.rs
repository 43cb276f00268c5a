//! Offset pagination: `?page=&limit=` in, `{data, page, limit, total}` out.
//!
//! Offset pages suit bounded, human-browsed lists (admin screens, a user's own items).
//! Unbounded feeds should use keyset cursors instead; see `docs/API-CONVENTIONS.md`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, FieldError};

/// Items per page when the client does not say.
pub const DEFAULT_LIMIT: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_LIMIT: u64 = 100;

/// Query parameters as sent; turn them into a [`Page`] with [`PageQuery::page`].
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
}

impl PageQuery {
    /// The checked page; out-of-range values are a 422 naming the parameter.
    pub fn page(&self) -> Result<Page, ApiError> {
        let page = self.page.unwrap_or(1);
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let mut errors = Vec::new();
        if page == 0 {
            errors.push(FieldError::new("page", "out_of_range", "pages start at 1"));
        }
        if page > u64::from(u32::MAX) {
            errors.push(FieldError::new(
                "page",
                "out_of_range",
                "page number too large",
            ));
        }
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                "limit must be between 1 and 100",
            ));
        }
        if errors.is_empty() {
            Ok(Page { page, limit })
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

/// A checked page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub page: u64,
    /// Items per page.
    pub limit: u64,
}

impl Page {
    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(self.limit)
    }
}

/// One page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// The items on this page.
    pub data: Vec<T>,
    /// The page number.
    pub page: u64,
    /// The page size asked for.
    pub limit: u64,
    /// Items across all pages.
    pub total: u64,
}

impl<T> Paginated<T> {
    /// Wraps a page of items.
    pub fn new(data: Vec<T>, page: Page, total: u64) -> Self {
        Self {
            data,
            page: page.page,
            limit: page.limit,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_offsets() {
        let page = PageQuery::default().page().unwrap();
        assert_eq!(page, Page { page: 1, limit: 20 });
        let third = PageQuery {
            page: Some(3),
            limit: Some(10),
        }
        .page()
        .unwrap();
        assert_eq!(third.offset(), 20);
    }

    #[test]
    fn out_of_range_values_name_each_bad_parameter() {
        let error = PageQuery {
            page: Some(0),
            limit: Some(1000),
        }
        .page()
        .unwrap_err();
        let fields: Vec<_> = error
            .field_errors()
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, ["page", "limit"]);
    }
}
