//! Shared by the benches: memory figures from `/proc`.

/// A `/proc/<pid>/<file>` field in KiB (`VmRSS:` in `status`, `Pss:` in `smaps_rollup`); 0 when
/// it cannot be read.
pub fn proc_kib(pid: &str, file: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// This process's resident memory in KiB.
#[allow(dead_code)] // not every bench reads its own memory
pub fn own_rss_kib() -> u64 {
    proc_kib("self", "status", "VmRSS:")
}
