//! The fixed category list of the roadmap spec.

use groundwork_platform::FieldError;

/// The categories, in the spec's order.
pub const CATEGORIES: [&str; 7] = [
    "Groceries",
    "Leisure",
    "Electronics",
    "Utilities",
    "Clothing",
    "Health",
    "Others",
];

/// A category name in its canonical spelling; input is matched case-insensitively.
pub fn parse(field: &str, raw: &str) -> Result<&'static str, FieldError> {
    let raw = raw.trim();
    CATEGORIES
        .iter()
        .find(|c| c.eq_ignore_ascii_case(raw))
        .copied()
        .ok_or_else(|| {
            FieldError::new(
                field,
                "unknown_category",
                format!("category must be one of {}", CATEGORIES.join(", ")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_match_case_insensitively_and_unknown_ones_are_listed() {
        assert_eq!(parse("category", "groceries").unwrap(), "Groceries");
        assert_eq!(parse("category", " HEALTH ").unwrap(), "Health");
        let error = parse("category", "Travel").unwrap_err();
        assert!(
            error.message.contains("Groceries, Leisure"),
            "{}",
            error.message
        );
    }
}
