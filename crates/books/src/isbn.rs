//! ISBN-13: 13 digits starting 978 or 979, the last a check digit (weights 1 and 3
//! alternating; the weighted sum is a multiple of 10). Hyphens and spaces are accepted on
//! input and dropped; the stored form is the 13 digits.

use groundwork_platform::FieldError;

/// Checks and normalises an ISBN-13.
pub fn parse(field: &str, raw: &str) -> Result<String, FieldError> {
    let digits: String = raw.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let invalid = |message: &str| Err(FieldError::new(field, "invalid_isbn", message));
    if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return invalid("an ISBN-13 has 13 digits (hyphens and spaces allowed)");
    }
    if !(digits.starts_with("978") || digits.starts_with("979")) {
        return invalid("an ISBN-13 starts with 978 or 979");
    }
    let sum: u32 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    if !sum.is_multiple_of(10) {
        return invalid("the ISBN's check digit does not match (a typo?)");
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_isbns_are_normalised_to_digits() {
        assert_eq!(parse("isbn", "978-0-306-40615-7").unwrap(), "9780306406157");
        assert_eq!(parse("isbn", "979 10 90636 07 1").unwrap(), "9791090636071");
        assert_eq!(parse("isbn", "9781593278281").unwrap(), "9781593278281");
    }

    #[test]
    fn a_wrong_check_digit_or_shape_is_refused() {
        assert!(
            parse("isbn", "9780306406158").is_err(),
            "check digit off by one"
        );
        assert!(parse("isbn", "978030640615").is_err(), "12 digits");
        assert!(parse("isbn", "0306406152").is_err(), "ISBN-10");
        assert!(parse("isbn", "1234567890128").is_err(), "not 978/979");
        assert!(parse("isbn", "97803064061５7").is_err(), "non-ASCII digit");
        assert_eq!(parse("isbn", "x").unwrap_err().code, "invalid_isbn");
    }
}
