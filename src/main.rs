use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Start-up is timed from here (the "first frame drawn" log line).
    motcua_kiosk::clock::mark_start();
    let cli = motcua_kiosk::cli::Cli::parse();
    if cli.command.is_some() {
        quiet_broken_pipe();
    }
    motcua_kiosk::cli::main(cli)
}

/// `motcua-kiosk check-config | head` should stop quietly when `head` has read enough, as other
/// shell tools do, instead of panicking on the closed pipe. Only for the one-shot commands: the
/// kiosk itself keeps Rust's default of ignoring SIGPIPE.
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
