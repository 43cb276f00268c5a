//! [`Registry`]: which job kinds a worker can run, and which cron schedules it keeps.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::schedule::{ScheduleError, ScheduledJob};
use super::{Job, JobError, JobInfo, NewJob};

type RunFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;

/// A job type with its payload decoding erased, so a worker can hold many.
trait ErasedHandler: Send + Sync {
    fn run(&self, payload: &str, version: i32, job: JobInfo) -> RunFuture;
}

struct Typed<J: Job> {
    context: Arc<J::Context>,
}

impl<J: Job> ErasedHandler for Typed<J> {
    fn run(&self, payload: &str, version: i32, job: JobInfo) -> RunFuture {
        let decoded = decode::<J>(payload, version);
        let context = self.context.clone();
        Box::pin(async move {
            // A payload this version cannot read will not become readable by retrying.
            let value = decoded.map_err(JobError::permanent)?;
            value.run(&context, &job).await
        })
    }
}

/// Reads a stored payload, upgrading it first if an older version of the type wrote it.
fn decode<J: Job>(payload: &str, version: i32) -> Result<J, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| format!("stored payload is not JSON: {e}"))?;
    if version != J::VERSION {
        value = J::upgrade(version, value)?;
    }
    serde_json::from_value(value).map_err(|e| format!("payload of {} does not match: {e}", J::KIND))
}

/// The job kinds a worker runs and the schedules it keeps. Each system adds its own
/// ([`crate::System::jobs`]); `groundwork worker` and `groundwork serve` collect them all.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<&'static str, Arc<dyn ErasedHandler>>,
    schedules: Vec<ScheduledJob>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs jobs of type `J` with `context`. A second registration of the same kind
    /// replaces the first.
    pub fn handle<J: Job>(&mut self, context: J::Context) -> &mut Self {
        let handler = Typed::<J> {
            context: Arc::new(context),
        };
        self.handlers.insert(J::KIND, Arc::new(handler));
        self
    }

    /// Enqueues the job `make(tick)` on every tick of `cron` (six fields, seconds first:
    /// `"0 */5 * * * *"` is every five minutes), once per tick across every process that
    /// runs the schedule. `name` identifies the schedule in the database.
    pub fn schedule<J: Job>(
        &mut self,
        name: &str,
        cron: &str,
        make: impl Fn(chrono::DateTime<chrono::Utc>) -> J + Send + Sync + 'static,
    ) -> Result<&mut Self, ScheduleError> {
        let job = ScheduledJob::new(name, cron, move |tick| NewJob::from_job(&make(tick)))?;
        self.schedules.push(job);
        Ok(self)
    }

    /// The registered kind names.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// Whether a kind has a handler here.
    pub fn knows(&self, kind: &str) -> bool {
        self.handlers.contains_key(kind)
    }

    pub(crate) fn schedules(&self) -> &[ScheduledJob] {
        &self.schedules
    }

    /// Starts a run of a claimed job; an unknown kind fails (and is retried: a newer
    /// worker may know it).
    pub(crate) fn run(&self, kind: &str, payload: &str, version: i32, job: JobInfo) -> RunFuture {
        match self.handlers.get(kind) {
            Some(handler) => handler.run(payload, version, job),
            None => {
                let message = format!("no handler for job kind {kind:?} in this worker");
                Box::pin(async move { Err(JobError::retry(message)) })
            }
        }
    }
}
