//! Exact measured quantities: weights in kg or lb and distances in metres, written as
//! decimal strings with up to three decimals and stored as integer thousandths, so
//! "62.5" kg is stored as 62 500 and reads back as "62.5" exactly.

use groundwork_platform::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Largest value in whole units (a million kg, lb or metres).
const MAX_WHOLE: i64 = 1_000_000;

/// A unit of weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WeightUnit {
    /// Kilograms.
    Kg,
    /// Pounds (0.45359237 kg).
    Lb,
}

impl WeightUnit {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightUnit::Kg => "kg",
            WeightUnit::Lb => "lb",
        }
    }

    /// From a stored name.
    pub fn from_stored(raw: &str) -> Option<Self> {
        match raw {
            "kg" => Some(WeightUnit::Kg),
            "lb" => Some(WeightUnit::Lb),
            _ => None,
        }
    }
}

/// A weight as the API shows it: `{"amount": "62.5", "unit": "kg"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Weight {
    /// Decimal string, up to three decimals, zero or more.
    pub amount: String,
    /// `kg` or `lb`.
    pub unit: Option<WeightUnit>,
}

/// Parses a non-negative decimal string with up to three decimals into thousandths.
pub fn parse_milli(field: &str, raw: &str) -> Result<i64, FieldError> {
    let invalid = || {
        FieldError::new(
            field,
            "invalid",
            "a non-negative decimal number written as a string, up to three decimals, such as \"62.5\"",
        )
    };
    let text = raw.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || text.ends_with('.') {
        return Err(invalid());
    }
    if fraction.len() > 3 {
        return Err(FieldError::new(
            field,
            "too_precise",
            "at most three decimals",
        ));
    }
    let whole = whole.trim_start_matches('0');
    let whole: i64 = if whole.is_empty() {
        0
    } else if whole.len() > 7 {
        i64::MAX
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    if whole > MAX_WHOLE {
        return Err(FieldError::new(field, "too_large", "at most 1 000 000"));
    }
    let fraction: i64 = format!("{fraction:0<3}").parse().map_err(|_| invalid())?;
    Ok(whole * 1000 + fraction)
}

/// Thousandths as the shortest exact decimal string (`62500` → `"62.5"`).
pub fn format_milli(milli: i64) -> String {
    let whole = milli / 1000;
    let fraction = milli % 1000;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:03}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Checks a weight: the amount and a unit (a weight without one is refused).
pub fn parse_weight(field: &str, weight: &Weight) -> Result<(i64, WeightUnit), FieldError> {
    let milli = parse_milli(&format!("{field}.amount"), &weight.amount)?;
    let unit = weight.unit.ok_or_else(|| {
        FieldError::new(
            format!("{field}.unit"),
            "required",
            "a weight needs its unit: kg or lb",
        )
    })?;
    Ok((milli, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_round_trip_exactly() {
        for (text, milli) in [
            ("62.5", 62_500),
            ("0", 0),
            ("100", 100_000),
            ("0.125", 125),
            ("007.50", 7_500),
        ] {
            assert_eq!(parse_milli("w", text).unwrap(), milli, "{text}");
        }
        assert_eq!(format_milli(62_500), "62.5");
        assert_eq!(format_milli(125), "0.125");
        assert_eq!(format_milli(100_000), "100");
    }

    #[test]
    fn bad_quantities_say_why() {
        let code = |raw: &str| parse_milli("w", raw).unwrap_err().code;
        assert_eq!(code("-5"), "invalid");
        assert_eq!(code("1.2345"), "too_precise");
        assert_eq!(code("1e3"), "invalid");
        assert_eq!(code("2000000"), "too_large");
        assert_eq!(code("99999999999999999999"), "too_large");
        let unitless = Weight {
            amount: "50".into(),
            unit: None,
        };
        assert_eq!(
            parse_weight("sets[0].weight", &unitless).unwrap_err().field,
            "sets[0].weight.unit"
        );
    }
}
