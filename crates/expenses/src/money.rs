//! Money: integer minor units and an ISO 4217 currency, never floating point. Amounts come
//! in as decimal strings (`"12.34"`) and go out the same way, with exactly as many
//! decimals as the currency has.

use groundwork_platform::FieldError;

/// Largest amount of one expense, in major units: a billion. With at most four decimals
/// that is 10^13 minor units, so the 100 000 expenses an account may hold still sum
/// within `i64` (summaries never overflow).
pub const MAX_MAJOR_UNITS: i64 = 1_000_000_000;

/// Active ISO 4217 codes and their minor-unit digits (the standard's "E" column).
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// A known currency code, uppercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    digits: u32,
}

impl Currency {
    /// US dollars, the default currency.
    pub const USD: Currency = Currency {
        code: "USD",
        digits: 2,
    };

    /// Looks a code up (case-insensitive).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(code, digits)| Currency {
                code,
                digits: *digits,
            })
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "unknown_currency",
                    "not an ISO 4217 currency code (such as USD, EUR, JPY)",
                )
            })
    }

    /// The code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point.
    pub fn digits(self) -> u32 {
        self.digits
    }

    /// A decimal string (`"12.34"`, `"5"`) as minor units. Positive, at most as many
    /// decimals as the currency has, at most [`MAX_MAJOR_UNITS`].
    pub fn parse_amount(self, field: &str, raw: &str) -> Result<i64, FieldError> {
        let invalid = |code: &'static str, message: String| FieldError::new(field, code, message);
        let text = raw.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || text.ends_with('.')
        {
            return Err(invalid(
                "invalid_amount",
                "an amount is a positive decimal number written as a string, such as \"12.34\""
                    .into(),
            ));
        }
        if fraction.len() > self.digits as usize {
            return Err(invalid(
                "too_many_decimals",
                format!("{} allows {} decimal places", self.code, self.digits),
            ));
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 10 {
            return Err(too_large(field));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_large(field))?
        };
        if whole > MAX_MAJOR_UNITS {
            return Err(too_large(field));
        }
        let scale = 10_i64.pow(self.digits);
        let padded = format!("{fraction:0<width$}", width = self.digits as usize);
        let fraction: i64 = if padded.is_empty() {
            0
        } else {
            padded.parse().map_err(|_| too_large(field))?
        };
        let minor = whole * scale + fraction;
        if minor == 0 {
            return Err(invalid(
                "not_positive",
                "an expense must be more than zero".into(),
            ));
        }
        Ok(minor)
    }

    /// Minor units as a decimal string with the currency's decimals (`1230` USD → `"12.30"`).
    pub fn format(self, minor: i64) -> String {
        let scale = 10_i64.pow(self.digits);
        let sign = if minor < 0 { "-" } else { "" };
        let minor = minor.unsigned_abs();
        let scale = scale.unsigned_abs();
        if self.digits == 0 {
            return format!("{sign}{minor}");
        }
        format!(
            "{sign}{}.{:0width$}",
            minor / scale,
            minor % scale,
            width = self.digits as usize
        )
    }
}

fn too_large(field: &str) -> FieldError {
    FieldError::new(field, "too_large", "at most 1 000 000 000 in major units")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("currency", "usd").unwrap()
    }

    #[test]
    fn amounts_parse_exactly_into_minor_units() {
        assert_eq!(usd().parse_amount("amount", "12.34").unwrap(), 1234);
        assert_eq!(usd().parse_amount("amount", "12.3").unwrap(), 1230);
        assert_eq!(usd().parse_amount("amount", "0.01").unwrap(), 1);
        assert_eq!(usd().parse_amount("amount", "007").unwrap(), 700);
        let jpy = Currency::parse("currency", "JPY").unwrap();
        assert_eq!(jpy.parse_amount("amount", "1500").unwrap(), 1500);
        let kwd = Currency::parse("currency", "KWD").unwrap();
        assert_eq!(kwd.parse_amount("amount", "1.005").unwrap(), 1005);
    }

    #[test]
    fn bad_amounts_say_why() {
        let code = |raw: &str| usd().parse_amount("amount", raw).unwrap_err().code;
        assert_eq!(code("0"), "not_positive");
        assert_eq!(code("0.00"), "not_positive");
        assert_eq!(code("-5"), "invalid_amount");
        assert_eq!(code("1.234"), "too_many_decimals");
        assert_eq!(code("1e3"), "invalid_amount");
        assert_eq!(code("1,50"), "invalid_amount");
        assert_eq!(code(".5"), "invalid_amount");
        assert_eq!(code("5."), "invalid_amount");
        assert_eq!(code(""), "invalid_amount");
        assert_eq!(code("1000000001"), "too_large");
        assert_eq!(
            usd().parse_amount("amount", "1000000000").unwrap(),
            100_000_000_000
        );
        assert_eq!(code("99999999999999999999999"), "too_large");
        let jpy = Currency::parse("currency", "JPY").unwrap();
        assert_eq!(
            jpy.parse_amount("amount", "1.5").unwrap_err().code,
            "too_many_decimals"
        );
        assert!(Currency::parse("currency", "ABC").is_err());
    }

    #[test]
    fn amounts_format_with_the_currencys_decimals() {
        assert_eq!(usd().format(1230), "12.30");
        assert_eq!(usd().format(5), "0.05");
        assert_eq!(usd().format(-250), "-2.50");
        assert_eq!(Currency::parse("c", "JPY").unwrap().format(1500), "1500");
        assert_eq!(Currency::parse("c", "BHD").unwrap().format(1005), "1.005");
    }
}
