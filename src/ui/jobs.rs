//! Work for the UI thread from other threads. Other threads never touch Slint objects: they send
//! a job, a closure over the window's screens `S`, into a channel and wake the event loop through
//! `KioskState.jobs-waiting`, whose handler runs what waits. The handler belongs to the window,
//! so each job finds its own window's screens without a registry. Without a running event loop
//! (headless use, tests) jobs wait until `jobs-waiting` is invoked.

use std::rc::Rc;
use std::sync::mpsc;

use slint::ComponentHandle;

use super::{AppWindow, KioskState};

pub type UiJob<S> = Box<dyn FnOnce(&S) + Send>;

/// Cloneable, `Send` handle other threads use to reach the window's screens.
pub struct UiSender<S> {
    window: slint::Weak<AppWindow>,
    jobs: mpsc::Sender<UiJob<S>>,
}

impl<S> Clone for UiSender<S> {
    fn clone(&self) -> Self {
        Self {
            window: self.window.clone(),
            jobs: self.jobs.clone(),
        }
    }
}

impl<S: 'static> UiSender<S> {
    /// The sender for `window`'s jobs and where they wait for [`serve`].
    pub fn new(window: &AppWindow) -> (Self, mpsc::Receiver<UiJob<S>>) {
        let (jobs, waiting) = mpsc::channel();
        let window = window.as_weak();
        (Self { window, jobs }, waiting)
    }

    /// Runs `job` with the screens on the UI thread, soon.
    pub fn run(&self, job: impl FnOnce(&S) + Send + 'static) {
        if self.jobs.send(Box::new(job)).is_ok() {
            let window = self.window.clone();
            // This fails only without an event loop; the job then waits for `jobs-waiting`.
            let _ = slint::invoke_from_event_loop(move || {
                if let Some(window) = window.upgrade() {
                    window.global::<KioskState>().invoke_jobs_waiting();
                }
            });
        }
    }
}

/// Runs the jobs waiting for `window` whenever it is woken for them, while `screens` live (their
/// owner keeps them; the window only holds them weakly).
pub fn serve<S: 'static>(screens: &Rc<S>, window: &AppWindow, waiting: mpsc::Receiver<UiJob<S>>) {
    let screens = Rc::downgrade(screens);
    window.global::<KioskState>().on_jobs_waiting(move || {
        while let (Some(screens), Ok(job)) = (screens.upgrade(), waiting.try_recv()) {
            job(&screens);
        }
    });
}
