//! A real PostgreSQL for the tests: the cluster named by `MOTCUA_TEST_POSTGRES` (a URL such as
//! `postgres://postgres@127.0.0.1:5432`), else a throwaway cluster this process starts once in a
//! temporary folder on a free port (Debian's `postgresql` package; as root it runs as the
//! `postgres` user) and stops when the process ends. Every test gets a fresh database.

// Shared by the SQLite and PostgreSQL test binaries; each uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The shared cluster's base URL (no database name), or why there is none.
fn cluster() -> Result<&'static str, &'static str> {
    static CLUSTER: OnceLock<Result<String, String>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| match std::env::var("MOTCUA_TEST_POSTGRES") {
            Ok(url) if !url.trim().is_empty() => Ok(url.trim().trim_end_matches('/').to_string()),
            _ => Cluster::start(false).map(|c| c.url),
        })
        .as_deref()
        .map_err(String::as_str)
}

fn pg_bin(name: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL tool, as `postgres` when this process is root (the server refuses root).
fn run_pg(bin: &Path, args: &[&str]) -> Result<(), String> {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let out = cmd
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {}: {}{}",
            bin.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A cluster this process started, which a test may stop and start again.
pub struct Cluster {
    pub url: String,
    pg_ctl: PathBuf,
    data: String,
    options: String,
    log: String,
}

impl Cluster {
    /// A new cluster in a temporary folder on a free port, stopped when this process ends.
    /// Not `durable`, it skips fsync (fast; a crash may lose what was acknowledged).
    pub fn start(durable: bool) -> Result<Self, String> {
        let (Some(initdb), Some(pg_ctl)) = (pg_bin("initdb"), pg_bin("pg_ctl")) else {
            return Err(
                "no PostgreSQL: install Debian's postgresql package, or set \
                        MOTCUA_TEST_POSTGRES=postgres://USER@HOST:PORT"
                    .into(),
            );
        };
        let dir = tempfile::Builder::new()
            .prefix("motcua-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        let data = dir.join("data").display().to_string();
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .map_err(|e| e.to_string())?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        run_pg(
            &initdb,
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let speed = if durable {
            ""
        } else {
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        };
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300{speed}",
            dir.display()
        );
        let cluster = Self {
            url: format!("postgres://postgres@127.0.0.1:{port}"),
            log: dir.join("log").display().to_string(),
            pg_ctl,
            data,
            options,
        };
        cluster.start_server()?;
        // Stop the cluster when this process ends, however it ends.
        let watcher = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; \
             {ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            ctl = cluster.pg_ctl.display(),
            data = cluster.data,
            dir = dir.display()
        );
        let mut watch = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "sh", "-c", &watcher]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", &watcher]);
            c
        };
        watch.spawn().map_err(|e| e.to_string())?;
        Ok(cluster)
    }

    /// Stops the server at once (as a crash or a failover would).
    pub fn stop(&self) -> Result<(), String> {
        run_pg(
            &self.pg_ctl,
            &["-D", &self.data, "-m", "immediate", "-w", "stop"],
        )
    }

    /// Starts the stopped server again; returns once it accepts connections.
    pub fn start_server(&self) -> Result<(), String> {
        run_pg(
            &self.pg_ctl,
            &[
                "-D",
                &self.data,
                "-o",
                &self.options,
                "-l",
                &self.log,
                "-w",
                "start",
            ],
        )
    }
}

fn admin(base: &str, statement: &str) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let (client, connection) =
            tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
                .await
                .map_err(|e| e.to_string())?;
        let task = tokio::spawn(connection);
        let result = client
            .batch_execute(statement)
            .await
            .map_err(|e| e.to_string());
        drop(client);
        let _ = task.await;
        result
    })
}

/// A new empty database on the cluster; dropped with the returned guard.
pub struct TestDatabase {
    pub url: String,
    name: String,
    base: &'static str,
}

impl TestDatabase {
    /// A database on the shared cluster.
    pub fn new() -> Self {
        Self::on(cluster().unwrap_or_else(|why| panic!("PostgreSQL tests: {why}")))
    }

    /// A database on `base` (a cluster's URL without a database name).
    pub fn on(base: &'static str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "motcua_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin(base, &format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("{e}"));
        Self {
            url: format!("{base}/{name}"),
            name,
            base,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = admin(
            self.base,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}
