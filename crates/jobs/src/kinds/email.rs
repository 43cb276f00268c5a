//! The `email` kind: one message through the configured SMTP server (`jobs.smtp_url`).
//!
//! A permanent SMTP refusal (5xx: unknown mailbox, rejected sender) is final; connection
//! failures and 4xx answers are retried. The Message-ID is derived from the job id, so
//! a retried delivery that did reach the server carries the same id (servers and
//! clients use it to drop duplicates).

use std::str::FromStr;
use std::time::Duration;

use groundwork_platform::jobs::{Job, JobError, JobInfo};
use groundwork_platform::{FieldError, FieldErrors};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

/// An email, as enqueued.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Email {
    /// Recipients (`"Ada <ada@example.com>"` or `"ada@example.com"`), 1 to 50.
    pub to: Vec<String>,
    /// One line, at most 255 characters.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// An HTML alternative of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The sender; default `jobs.email_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Where replies go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
}

const MAX_RECIPIENTS: usize = 50;
const MAX_SUBJECT: usize = 255;

fn mailbox(field: &str, text: &str) -> Result<Mailbox, FieldError> {
    Mailbox::from_str(text.trim())
        .map_err(|e| FieldError::new(field, "invalid", format!("not an email address: {e}")))
}

impl Email {
    /// Checks the addresses and the subject; `default_from` is `jobs.email_from`.
    pub fn validate(&self, default_from: Option<&str>) -> Result<(), Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        if self.to.is_empty() || self.to.len() > MAX_RECIPIENTS {
            errors.push(FieldError::new(
                "payload.to",
                "invalid",
                format!("1 to {MAX_RECIPIENTS} recipients"),
            ));
        }
        for (i, to) in self.to.iter().enumerate() {
            errors.take(mailbox(&format!("payload.to[{i}]"), to));
        }
        if self.subject.trim().is_empty()
            || self.subject.chars().count() > MAX_SUBJECT
            || self.subject.contains(['\r', '\n'])
        {
            errors.push(FieldError::new(
                "payload.subject",
                "invalid",
                format!("one line of 1 to {MAX_SUBJECT} characters"),
            ));
        }
        match self.from.as_deref().or(default_from) {
            Some(from) => {
                errors.take(mailbox("payload.from", from));
            }
            None => errors.push(FieldError::new(
                "payload.from",
                "required",
                "no sender: give `from` or configure jobs.email_from",
            )),
        }
        if let Some(reply_to) = &self.reply_to {
            errors.take(mailbox("payload.replyTo", reply_to));
        }
        errors
            .finish(|| Some(()))
            .map_err(|e| e.field_errors().to_vec())
    }

    fn message(&self, default_from: Option<&str>, job: &JobInfo) -> Result<Message, String> {
        let from = self
            .from
            .as_deref()
            .or(default_from)
            .ok_or("no sender configured")?;
        let from: Mailbox = from.parse().map_err(|e| format!("sender: {e}"))?;
        let domain = from.email.domain().to_owned();
        let mut builder = Message::builder()
            .from(from)
            .subject(self.subject.clone())
            .message_id(Some(format!("<{}@{domain}>", job.idempotency_key())));
        for to in &self.to {
            builder = builder.to(to.parse().map_err(|e| format!("recipient {to}: {e}"))?);
        }
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.parse().map_err(|e| format!("reply-to: {e}"))?);
        }
        let built = match &self.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                self.text.clone(),
                html.clone(),
            )),
            None => builder.body(self.text.clone()),
        };
        built.map_err(|e| e.to_string())
    }
}

/// The SMTP transport and the default sender.
pub struct EmailContext {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    default_from: Option<String>,
}

impl EmailContext {
    /// A transport for `smtp_url` (pooled connections, `timeout` per command); `None`
    /// leaves email unconfigured (enqueues are refused).
    pub fn new(
        smtp_url: Option<&str>,
        default_from: Option<String>,
        timeout: Duration,
    ) -> Result<Self, lettre::transport::smtp::Error> {
        let transport = match smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
                    .timeout(Some(timeout))
                    .build(),
            ),
            None => None,
        };
        Ok(Self {
            transport,
            default_from,
        })
    }

    /// Whether an SMTP server is configured.
    pub fn is_configured(&self) -> bool {
        self.transport.is_some()
    }

    /// The default sender.
    pub fn default_from(&self) -> Option<&str> {
        self.default_from.as_deref()
    }
}

impl Job for Email {
    const KIND: &'static str = "email";
    const QUEUE: &'static str = "email";
    const MAX_ATTEMPTS: i32 = 8;
    type Context = EmailContext;

    async fn run(self, context: &EmailContext, job: &JobInfo) -> Result<(), JobError> {
        let Some(transport) = &context.transport else {
            // Configured when enqueued, not any more: another deployment may have it.
            return Err(JobError::retry(
                "no SMTP server is configured (jobs.smtp_url)",
            ));
        };
        let message = self
            .message(context.default_from(), job)
            .map_err(JobError::permanent)?;
        match transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(JobError::permanent(format!(
                "the SMTP server refused: {error}"
            ))),
            Err(error) => Err(JobError::retry(format!("SMTP delivery failed: {error}"))),
        }
    }
}
