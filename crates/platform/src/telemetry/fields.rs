//! Field formatting for the text log format, logfmt style: `name=value`, with values
//! quoted and escaped only when they need it.
//!
//! tracing-subscriber's default formatter writes every string through `Debug` (quoting and
//! escaping each character) and every name through its ANSI styling machinery, even with
//! colours off. The request span formats three fields for every request, so that cost is
//! paid tens of thousands of times a second; this formatter writes plain values directly.
//! Anything with whitespace, quotes, `=`, or control characters still goes through `Debug`,
//! so a value can never forge a field or a log line.

use std::fmt::{self, Write};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;

/// The logfmt-style field formatter (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct PlainFields;

impl<'writer> FormatFields<'writer> for PlainFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut visitor = Visitor {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct Visitor<'a, 'writer> {
    writer: &'a mut Writer<'writer>,
    first: bool,
    result: fmt::Result,
}

impl Visitor<'_, '_> {
    /// Writes the separator and the name; `false` for fields that are not printed.
    fn start(&mut self, field: &Field) -> bool {
        let name = field.name();
        // Metadata of events bridged from the `log` crate, already shown elsewhere.
        if self.result.is_err() || name.starts_with("log.") {
            return false;
        }
        if !self.first {
            self.result = self.writer.write_char(' ');
        }
        self.first = false;
        if name != "message" {
            let name = name.strip_prefix("r#").unwrap_or(name);
            self.result = self
                .result
                .and_then(|()| self.writer.write_str(name))
                .and_then(|()| self.writer.write_char('='));
        }
        true
    }
}

fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '=')
}

impl Visit for Visitor<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.start(field) {
            return;
        }
        let plain =
            is_plain(value) || (field.name() == "message" && !value.chars().any(char::is_control));
        self.result = self.result.and_then(|()| {
            if plain {
                self.writer.write_str(value)
            } else {
                write!(self.writer, "{value:?}")
            }
        });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !self.start(field) {
            return;
        }
        // Formatted once into a buffer only when it is not a plain string already: a
        // `Display`/`Debug` value can contain anything, so it is checked like a string.
        let mut text = String::new();
        if write!(text, "{value:?}").is_err() {
            self.result = Err(fmt::Error);
            return;
        }
        let safe =
            is_plain(&text) || (field.name() == "message" && !text.chars().any(char::is_control));
        self.result = self.result.and_then(|()| {
            if safe {
                self.writer.write_str(&text)
            } else {
                write!(self.writer, "{text:?}")
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::LogCapture;

    fn logged(emit: impl FnOnce()) -> String {
        let capture = LogCapture::default();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(PlainFields)
            .with_ansi(false)
            .without_time()
            .with_writer(capture.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        capture.contents()
    }

    #[test]
    fn plain_values_are_written_as_they_are() {
        let line = logged(|| {
            let span =
                tracing::info_span!("request", request_id = %"abc-123", route = "/auth/{id}");
            span.in_scope(|| {
                tracing::info!(status = 200u16, latency_ms = 1.5, "request completed")
            });
        });
        assert!(
            line.contains("request{request_id=abc-123 route=/auth/{id}}"),
            "{line}"
        );
        assert!(
            line.contains("request completed status=200 latency_ms=1.5"),
            "{line}"
        );
    }

    #[test]
    fn values_that_could_forge_fields_or_lines_are_quoted() {
        let line = logged(|| {
            tracing::info!(
                email = "a@b.c\nFAKE level=ERROR",
                name = "two words",
                "hello"
            )
        });
        assert!(
            line.contains(r#"email="a@b.c\nFAKE level=ERROR""#),
            "{line}"
        );
        assert!(line.contains(r#"name="two words""#), "{line}");
        assert_eq!(line.lines().count(), 1, "{line}");
        let message = logged(|| tracing::info!("a message\nwith a newline"));
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}
