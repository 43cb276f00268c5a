//! `GET /weather/{location}?units=&days=&lang=`, checked and normalised before anything
//! else happens: a bad request never reaches the provider.

use groundwork_platform::ApiError;
use groundwork_platform::error::{FieldError, FieldErrors};
use serde::Deserialize;

/// Longest location accepted (characters).
pub const MAX_LOCATION_CHARS: usize = 100;
/// Forecast days a request may ask for.
pub const DAYS: std::ops::RangeInclusive<u8> = 1..=15;
/// Days when `days` is not given.
pub const DEFAULT_DAYS: u8 = 7;

/// Unit systems, as Visual Crossing names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Units {
    /// °C, km/h, mm.
    Metric,
    /// °F, mph, inches.
    Us,
    /// °C, mph, mm.
    Uk,
}

impl Units {
    /// The name used in requests, responses and cache keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Metric => "metric",
            Self::Us => "us",
            Self::Uk => "uk",
        }
    }
}

/// Where: coordinates, or a place name or postal code for the provider to resolve.
#[derive(Clone, Debug, PartialEq)]
pub enum Location {
    /// Latitude and longitude in degrees.
    Coordinates {
        /// Degrees north, -90..=90.
        latitude: f64,
        /// Degrees east, -180..=180.
        longitude: f64,
    },
    /// A city name or postal code, whitespace collapsed (case kept for display).
    Place(String),
}

/// A checked request.
#[derive(Clone, Debug, PartialEq)]
pub struct WeatherQuery {
    /// Where.
    pub location: Location,
    /// Units of the numbers.
    pub units: Units,
    /// Forecast days, 1..=15.
    pub days: u8,
    /// Language of place names and condition texts (ISO 639-1, lower case).
    pub lang: String,
}

/// The query string as sent.
#[derive(Debug, Default, Deserialize)]
pub struct RawParams {
    /// Units of the numbers.
    pub units: Option<String>,
    /// Forecast days, 1..=15.
    /// 1..=15, as text (checked here, with a clear message).
    pub days: Option<String>,
    /// ISO 639-1.
    pub lang: Option<String>,
}

impl WeatherQuery {
    /// Checks every part, reporting every bad one at once (400, as a bad query string is a
    /// bad request here: there is no body to be unprocessable).
    pub fn parse(location: &str, params: &RawParams) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let location = errors.take(parse_location(location));
        let units = errors.take(parse_units(params.units.as_deref()));
        let days = errors.take(parse_days(params.days.as_deref()));
        let lang = errors.take(parse_lang(params.lang.as_deref()));
        errors
            .finish(|| {
                Some(Self {
                    location: location?,
                    units: units?,
                    days: days?,
                    lang: lang?,
                })
            })
            .map_err(|error| error.with_status(axum::http::StatusCode::BAD_REQUEST))
    }

    /// The cache key: the same for every spelling of one request ("London", " london ").
    pub fn cache_key(&self) -> String {
        use std::fmt::Write as _;

        // One allocation: this runs on every request, hits included.
        let mut key = String::with_capacity(48);
        match &self.location {
            Location::Coordinates {
                latitude,
                longitude,
            } => {
                let _ = write!(key, "@{latitude:.4},{longitude:.4}");
            }
            Location::Place(name) if name.is_ascii() => {
                key.extend(name.chars().map(|c| c.to_ascii_lowercase()));
            }
            // The whole-string form: Greek capital sigma lowers differently at a word end.
            Location::Place(name) => key.push_str(&name.to_lowercase()),
        }
        let _ = write!(key, "|{}|{}|{}", self.units.as_str(), self.days, self.lang);
        key
    }
}

fn bad(field: &'static str, code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, code, message.into())
}

fn parse_location(raw: &str) -> Result<Location, FieldError> {
    if raw.chars().any(char::is_control) {
        return Err(bad(
            "location",
            "invalid",
            "the location must not contain control characters",
        ));
    }
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return Err(bad("location", "required", "a location is required"));
    }
    if collapsed.chars().count() > MAX_LOCATION_CHARS {
        return Err(bad(
            "location",
            "too_long",
            format!("the location must be at most {MAX_LOCATION_CHARS} characters"),
        ));
    }
    if let Some(coordinates) = parse_coordinates(&collapsed)? {
        return Ok(coordinates);
    }
    // Names and postal codes: letters of any script, digits, spaces and the punctuation
    // of real place names ("St. John's", "Stratford-upon-Avon", "Paris, FR").
    let allowed = |c: char| c.is_alphanumeric() || " ,.'-()".contains(c);
    if let Some(c) = collapsed.chars().find(|c| !allowed(*c)) {
        return Err(bad(
            "location",
            "invalid",
            format!(
                "the location may not contain {c:?}: use a place name, a postal code or \"lat,lon\""
            ),
        ));
    }
    Ok(Location::Place(collapsed))
}

/// "lat,lon" → coordinates; `None` if it is not shaped like a pair of numbers.
fn parse_coordinates(text: &str) -> Result<Option<Location>, FieldError> {
    let Some((lat, lon)) = text.split_once(',') else {
        return Ok(None);
    };
    let number = |s: &str| {
        let s = s.trim();
        let numeric = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || "+-.".contains(c));
        numeric.then(|| s.parse::<f64>().ok()).flatten()
    };
    let (Some(latitude), Some(longitude)) = (number(lat), number(lon)) else {
        return Ok(None);
    };
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err(bad(
            "location",
            "out_of_range",
            "latitude must be within -90..90 and longitude within -180..180",
        ));
    }
    Ok(Some(Location::Coordinates {
        latitude,
        longitude,
    }))
}

fn parse_units(raw: Option<&str>) -> Result<Units, FieldError> {
    match raw.unwrap_or("metric") {
        "metric" => Ok(Units::Metric),
        "us" => Ok(Units::Us),
        "uk" => Ok(Units::Uk),
        other => Err(bad(
            "units",
            "invalid",
            format!("unknown units {other:?}: use metric, us or uk"),
        )),
    }
}

fn parse_days(raw: Option<&str>) -> Result<u8, FieldError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_DAYS);
    };
    match raw.parse::<u8>() {
        Ok(days) if DAYS.contains(&days) => Ok(days),
        _ => Err(bad(
            "days",
            "out_of_range",
            format!(
                "days must be a whole number from {} to {}",
                DAYS.start(),
                DAYS.end()
            ),
        )),
    }
}

fn parse_lang(raw: Option<&str>) -> Result<String, FieldError> {
    let lang = raw.unwrap_or("en").to_ascii_lowercase();
    if lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(lang)
    } else {
        Err(bad(
            "lang",
            "invalid",
            "lang must be a two-letter ISO 639-1 code such as en, de or fr",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(units: Option<&str>, days: Option<&str>, lang: Option<&str>) -> RawParams {
        RawParams {
            units: units.map(Into::into),
            days: days.map(Into::into),
            lang: lang.map(Into::into),
        }
    }

    #[test]
    fn spellings_of_one_request_share_a_cache_key() {
        let a = WeatherQuery::parse("  London ", &RawParams::default()).unwrap();
        let b =
            WeatherQuery::parse("london", &params(Some("metric"), Some("7"), Some("EN"))).unwrap();
        assert_eq!(a.cache_key(), b.cache_key());
        assert_eq!(a.cache_key(), "london|metric|7|en");
        assert_eq!(a.location, Location::Place("London".into()));
        let c = WeatherQuery::parse("london", &params(Some("us"), None, None)).unwrap();
        assert_ne!(a.cache_key(), c.cache_key());
    }

    #[test]
    fn coordinates_and_postal_codes_are_understood() {
        let q = WeatherQuery::parse("51.5072, -0.1276", &RawParams::default()).unwrap();
        assert_eq!(
            q.location,
            Location::Coordinates {
                latitude: 51.5072,
                longitude: -0.1276
            }
        );
        assert_eq!(q.cache_key(), "@51.5072,-0.1276|metric|7|en");
        let q = WeatherQuery::parse("10115", &RawParams::default()).unwrap();
        assert_eq!(q.location, Location::Place("10115".into()));
        // A place with a comma is a place, not coordinates.
        let q = WeatherQuery::parse("Paris, FR", &RawParams::default()).unwrap();
        assert_eq!(q.location, Location::Place("Paris, FR".into()));
    }

    #[test]
    fn bad_requests_name_every_bad_field() {
        let too_long = "a".repeat(500);
        for (location, field) in [
            ("", "location"),
            ("   ", "location"),
            (too_long.as_str(), "location"),
            ("Lon\u{7}don", "location"),
            ("London\n", "location"),
            ("a/b", "location"),
            ("<script>", "location"),
            ("91,0", "location"),
            ("0,181", "location"),
        ] {
            let error = WeatherQuery::parse(location, &RawParams::default()).unwrap_err();
            assert_eq!(error.status(), 400, "{location:?}");
            assert_eq!(error.field_errors()[0].field, field, "{location:?}");
        }
        let error = WeatherQuery::parse(
            "London",
            &params(Some("kelvin"), Some("0"), Some("english")),
        )
        .unwrap_err();
        let fields: Vec<_> = error
            .field_errors()
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, ["units", "days", "lang"]);
        for days in ["0", "16", "999", "-1", "1.5", "x"] {
            assert!(WeatherQuery::parse("London", &params(None, Some(days), None)).is_err());
        }
        for days in ["1", "15"] {
            assert!(WeatherQuery::parse("London", &params(None, Some(days), None)).is_ok());
        }
    }
}
