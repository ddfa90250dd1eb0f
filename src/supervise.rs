//! Worker threads that come back: a panic in a worker is logged and the worker started again,
//! after a pause that grows while it keeps failing, so one bad record or answer never leaves the
//! kiosk without its printer, catalog or server link until the next reboot.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;
use std::time::Duration;

/// The pause before the first restart; it doubles with each further panic, up to [`LONGEST_PAUSE`].
pub const FIRST_PAUSE: Duration = Duration::from_secs(1);
pub const LONGEST_PAUSE: Duration = Duration::from_secs(60);

/// Runs `body` on a thread named `name`; when it panics, runs it again. The thread ends when
/// `body` returns. `body` keeps what it captured (its channel, its settings) from run to run;
/// what it built inside (an open file, a connection) is dropped by the panic and built again.
pub fn spawn<F>(name: &str, mut body: F) -> std::io::Result<JoinHandle<()>>
where
    F: FnMut() + Send + 'static,
{
    let worker = name.to_string();
    std::thread::Builder::new()
        .name(worker.clone())
        .spawn(move || {
            let mut panics: u32 = 0;
            // The body's state is only used again after a panic through what it captured, which
            // each worker re-establishes at the start of a run.
            while catch_unwind(AssertUnwindSafe(&mut body)).is_err() {
                panics = panics.saturating_add(1);
                let pause = pause_after(panics);
                tracing::error!(
                    worker = %worker,
                    panics,
                    "worker stopped on a panic; starting it again in {} s",
                    pause.as_secs()
                );
                std::thread::sleep(pause);
            }
        })
}

/// Runs a one-shot job (check a PIN, print one slip, read a file) on a thread named `name` and
/// hands its answer to `reply`. If the job panics (the panic hook logs where), `reply` gets
/// `if_panicked` instead: whoever waits for the answer, such as a screen saying "checking…",
/// always gets one.
pub fn once<T, W, R>(name: &str, if_panicked: T, work: W, reply: R) -> std::io::Result<()>
where
    T: Send + 'static,
    W: FnOnce() -> T + Send + 'static,
    R: FnOnce(T) + Send + 'static,
{
    let job = name.to_string();
    std::thread::Builder::new()
        .name(job.clone())
        .spawn(move || {
            let answer = catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|_| {
                tracing::error!(job = %job, "one-shot job stopped on a panic; answering for it");
                if_panicked
            });
            reply(answer);
        })
        .map(drop)
}

fn pause_after(panics: u32) -> Duration {
    let doublings = panics.saturating_sub(1).min(16);
    FIRST_PAUSE
        .saturating_mul(1 << doublings)
        .min(LONGEST_PAUSE)
}

/// Logs every panic with its thread and place before the default report: under systemd the
/// journal and the log file keep it. A panic on the UI thread then ends the process with a
/// non-zero status, and systemd starts the kiosk again.
pub fn log_panics() {
    let default_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(
            thread = thread.name().unwrap_or("unnamed"),
            at = %place,
            "panic: {message}"
        );
        default_report(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, mpsc};

    #[test]
    fn pauses_grow_to_a_minute() {
        let pauses: Vec<u64> = (1..=8).map(|n| pause_after(n).as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn a_one_shot_job_always_answers_even_when_it_panics() {
        let (answers, heard) = mpsc::channel();
        let to = answers.clone();
        once("test-once", false, || true, move |a| to.send(a).unwrap()).unwrap();
        once(
            "test-once-panics",
            false,
            || panic!("a job that fails badly"),
            move |a| answers.send(a).unwrap(),
        )
        .unwrap();
        let wait = Duration::from_secs(10);
        let mut got = [
            heard.recv_timeout(wait).unwrap(),
            heard.recv_timeout(wait).unwrap(),
        ];
        got.sort();
        assert_eq!(
            got,
            [false, true],
            "the panicking job answered with its fallback"
        );
    }

    #[test]
    fn a_worker_that_panics_is_started_again_and_keeps_its_channel() {
        let (jobs, inbox) = mpsc::channel::<u32>();
        let (done, results) = mpsc::channel::<u32>();
        let runs = Arc::new(AtomicU32::new(0));
        let counted = runs.clone();
        let handle = spawn("test-worker", move || {
            counted.fetch_add(1, Ordering::SeqCst);
            while let Ok(job) = inbox.recv() {
                assert_ne!(job, 13, "a job that makes the worker panic");
                done.send(job * 2).unwrap();
            }
        })
        .unwrap();
        for job in [1, 13, 2] {
            jobs.send(job).unwrap();
        }
        let wait = Duration::from_secs(10);
        assert_eq!(results.recv_timeout(wait), Ok(2));
        assert_eq!(
            results.recv_timeout(wait),
            Ok(4),
            "the job after the panic is done by the restarted worker"
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        drop(jobs);
        handle
            .join()
            .expect("the worker ends when its channel closes");
    }
}
