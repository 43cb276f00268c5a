//! User-agent families for analytics: browser, operating system, and whether the client
//! is a bot (crawlers, link-preview fetchers, command-line clients, libraries). Families
//! only, never versions: enough for a report, and a small, fixed set of rows.

use std::borrow::Cow;

/// A user agent reduced to its families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Agent {
    /// `Chrome`, `Firefox`, `Safari`, `Edge`, `Opera`, `Samsung Internet`,
    /// `Internet Explorer`, `Other` (and `None` without a header).
    pub browser: &'static str,
    /// `Windows`, `Android`, `iOS`, `macOS`, `ChromeOS`, `Linux`, `Other`, `None`.
    pub os: &'static str,
    /// Not a person.
    pub bot: bool,
}

/// Substrings that mark automated clients. The last entries are HTTP libraries and tools:
/// a person clicking a link uses a browser.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "archiver",
    "facebookexternalhit",
    "preview",
    "headless",
    "lighthouse",
    "monitor",
    "curl/",
    "wget/",
    "httpie",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "axios",
    "node-fetch",
    "libwww",
    "httpclient",
    "reqwest",
    "oha/",
    "wrk",
    "apachebench",
    "postman",
];

/// Browser families, most specific first (Edge and Opera also say "Chrome"; Chrome also
/// says "Safari").
const BROWSERS: &[(&str, &str)] = &[
    ("edg/", "Edge"),
    ("edge/", "Edge"),
    ("opr/", "Opera"),
    ("opera", "Opera"),
    ("samsungbrowser", "Samsung Internet"),
    ("firefox/", "Firefox"),
    ("fxios", "Firefox"),
    ("chrome/", "Chrome"),
    ("crios", "Chrome"),
    ("chromium", "Chrome"),
    ("safari/", "Safari"),
    ("msie", "Internet Explorer"),
    ("trident/", "Internet Explorer"),
];

/// Operating systems, most specific first (Android says "Linux"; iOS says "Mac OS X").
const SYSTEMS: &[(&str, &str)] = &[
    ("windows", "Windows"),
    ("android", "Android"),
    ("iphone", "iOS"),
    ("ipad", "iOS"),
    ("ipod", "iOS"),
    ("cros", "ChromeOS"),
    ("mac os x", "macOS"),
    ("macintosh", "macOS"),
    ("linux", "Linux"),
];

/// Longest user agent looked at; real ones are a few hundred bytes.
const MAX_AGENT_LEN: usize = 512;

/// The part of a `User-Agent` value that is looked at and kept: its first
/// [`MAX_AGENT_LEN`] bytes, cut at a character boundary.
pub fn truncated(user_agent: &str) -> &str {
    let mut end = user_agent.len().min(MAX_AGENT_LEN);
    while !user_agent.is_char_boundary(end) {
        end -= 1;
    }
    &user_agent[..end]
}

/// Classifies a `User-Agent` header value.
pub fn classify(user_agent: Option<&str>) -> Agent {
    let Some(raw) = user_agent.map(str::trim).filter(|ua| !ua.is_empty()) else {
        return Agent {
            browser: "None",
            os: "None",
            // No user agent at all: a script, not a browser.
            bot: true,
        };
    };
    let lower = truncated(raw).to_ascii_lowercase();
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(marker, _)| lower.contains(marker))
            .map_or("Other", |(_, name)| *name)
    };
    Agent {
        browser: find(BROWSERS),
        os: find(SYSTEMS),
        bot: BOT_MARKERS.iter().any(|marker| lower.contains(marker)),
    }
}

/// The referring host of a `Referer` header: `news.example`, `(direct)` without one,
/// `(unknown)` when it names no host. Paths and queries are dropped: they can carry
/// personal data and would make the table grow without bound.
pub fn referrer_host(referer: Option<&str>) -> Cow<'static, str> {
    let Some(value) = referer.map(str::trim).filter(|r| !r.is_empty()) else {
        return Cow::Borrowed("(direct)");
    };
    let Some((_, rest)) = value.split_once("://") else {
        return Cow::Borrowed("(unknown)");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:_".contains(&b));
    if valid {
        Cow::Owned(host)
    } else {
        Cow::Borrowed("(unknown)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    const FIREFOX_LINUX: &str =
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    const GOOGLEBOT: &str =
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    #[test]
    fn browsers_and_systems_are_told_apart() {
        let cases = [
            (CHROME_WINDOWS, "Chrome", "Windows", false),
            (EDGE, "Edge", "Windows", false),
            (SAFARI_IPHONE, "Safari", "iOS", false),
            (FIREFOX_LINUX, "Firefox", "Linux", false),
            (CHROME_ANDROID, "Chrome", "Android", false),
            (GOOGLEBOT, "Other", "Other", true),
            ("curl/8.5.0", "Other", "Other", true),
        ];
        for (ua, browser, os, bot) in cases {
            assert_eq!(classify(Some(ua)), Agent { browser, os, bot }, "{ua}");
        }
        assert_eq!(
            classify(None),
            Agent {
                browser: "None",
                os: "None",
                bot: true
            }
        );
    }

    #[test]
    fn very_long_agents_are_cut_on_a_character_boundary() {
        let long = format!("{}é{}", "a".repeat(511), "b".repeat(5000));
        assert_eq!(classify(Some(&long)).browser, "Other");
    }

    #[test]
    fn referrers_keep_only_the_host() {
        assert_eq!(referrer_host(None), "(direct)");
        assert_eq!(referrer_host(Some("  ")), "(direct)");
        assert_eq!(
            referrer_host(Some("https://News.Example.com/story?id=1")),
            "news.example.com"
        );
        assert_eq!(
            referrer_host(Some("https://user:pw@example.org:8443/x")),
            "example.org"
        );
        assert_eq!(referrer_host(Some("http://[2001:db8::1]/")), "2001:db8::1");
        assert_eq!(referrer_host(Some("android-app://com.x/")), "com.x");
        assert_eq!(referrer_host(Some("not a url")), "(unknown)");
        assert_eq!(referrer_host(Some("https://<script>/")), "(unknown)");
    }
}
