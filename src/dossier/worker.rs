//! The lookup worker: asks the central system about dossier codes, and takes citizens' SMS
//! subscriptions, on its own thread, so the screen never waits for the network. Only the newest
//! of several waiting lookups is asked.

use std::sync::mpsc::{self, Receiver, Sender};

use super::subscribe::{SubscriptionOutcome, subscribe};
use super::{DossierCode, Outcome};
use crate::server::link::SharedClient;

/// The answer to [`Worker::look_up`] with the same `tag`.
#[derive(Debug, Clone)]
pub struct Answer {
    pub tag: u64,
    pub outcome: Outcome,
}

/// The answer to [`Worker::subscribe`] with the same `tag`.
#[derive(Debug, Clone)]
pub struct SubscriptionAnswer {
    pub tag: u64,
    pub outcome: SubscriptionOutcome,
}

/// What the worker reports.
#[derive(Debug, Clone)]
pub enum WorkerReport {
    Lookup(Answer),
    Subscription(SubscriptionAnswer),
}

/// The worker's thread is gone: the lookup was not asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the dossier lookup thread stopped")]
pub struct WorkerStopped;

enum Job {
    Lookup {
        tag: u64,
        code: DossierCode,
    },
    /// The number lives here until the request is answered, then is dropped.
    Subscribe {
        tag: u64,
        code: DossierCode,
        phone: String,
        request_id: String,
    },
}

/// A handle on the lookup thread; it stops when the handle is dropped.
pub struct Worker {
    jobs: Sender<Job>,
}

impl Worker {
    /// Starts the thread; `report` is called from it with every answer.
    pub fn spawn(server: SharedClient, report: impl Fn(WorkerReport) + Send + 'static) -> Self {
        let (jobs, inbox) = mpsc::channel();
        if let Err(e) = crate::supervise::spawn("dossier", move || run(&server, &inbox, &report)) {
            tracing::error!("cannot start the dossier thread: {e}");
        }
        Self { jobs }
    }

    pub fn look_up(&self, code: DossierCode, tag: u64) -> Result<(), WorkerStopped> {
        self.jobs
            .send(Job::Lookup { tag, code })
            .map_err(|_| WorkerStopped)
    }

    /// Asks the server to tell `phone` (normalised) about `code`; `request_id` makes a retry
    /// of the same request harmless.
    pub fn subscribe(
        &self,
        code: DossierCode,
        phone: String,
        request_id: String,
        tag: u64,
    ) -> Result<(), WorkerStopped> {
        self.jobs
            .send(Job::Subscribe {
                tag,
                code,
                phone,
                request_id,
            })
            .map_err(|_| WorkerStopped)
    }
}

fn run(server: &SharedClient, inbox: &Receiver<Job>, report: &impl Fn(WorkerReport)) {
    while let Ok(mut job) = inbox.recv() {
        // Only the newest lookup matters when several queued up; a subscription is never skipped.
        while matches!(job, Job::Lookup { .. })
            && let Ok(newer) = inbox.try_recv()
        {
            job = newer;
        }
        let client = server.current();
        match job {
            Job::Lookup { tag, code } => {
                let outcome = match &client {
                    Some(client) => super::lookup(client, &code),
                    None => Outcome::Offline,
                };
                // The outcome only: never the code or what the server said about it.
                tracing::info!("{}", outcome.label());
                report(WorkerReport::Lookup(Answer { tag, outcome }));
            }
            Job::Subscribe {
                tag,
                code,
                phone,
                request_id,
            } => {
                let outcome = match &client {
                    Some(client) => subscribe(client, &code, &phone, &request_id),
                    None => SubscriptionOutcome::Offline,
                };
                drop(phone);
                tracing::info!("{}", outcome.label());
                report(WorkerReport::Subscription(SubscriptionAnswer {
                    tag,
                    outcome,
                }));
            }
        }
    }
}
