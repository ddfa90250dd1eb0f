//! Real gateways for the tests: Kannel's bearerbox + smsbox with its fakesmsc, Kannel's
//! drive_smpp, each on free 127.0.0.1 ports in a temporary directory; a delivery-report
//! endpoint; waiting on conditions with deadlines.

#![allow(dead_code)]

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use motcua_central::sms::{DeliveryReport, KANNEL_DLR_ROUTE, KannelDlr, Secret, kannel_dlr};
use tokio::sync::mpsc;

pub const BEARERBOX: &str = "/usr/sbin/bearerbox";
pub const SMSBOX: &str = "/usr/sbin/smsbox";
pub const FAKESMSC: &str = "/usr/lib/kannel/test/fakesmsc";
pub const DRIVE_SMPP: &str = "/usr/lib/kannel/test/drive_smpp";

/// Generous: the machine has 2 cores shared with other builds.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// A reqwest client for the tests' own calls (rustls needs its ring provider installed first).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: apt-get install kannel kannel-extras"
    );
}

pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Polls `f` every 50 ms until it answers `Some`, or panics after `DEADLINE` with `what`.
pub async fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < DEADLINE, "waited {DEADLINE:?} for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A child process, killed (by its own id) when dropped.
pub struct Proc {
    pub name: &'static str,
    child: Child,
    pub log: PathBuf,
}

impl Proc {
    pub fn spawn(name: &'static str, program: &str, args: &[&str], dir: &Path) -> Self {
        let log = dir.join(format!("{name}.out"));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        Self { name, child, log }
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a signal (`STOP`, `CONT`, `KILL`, `TERM`) with kill(1).
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{name} {}", self.name);
    }

    /// Waits for the process to end by itself, up to `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether something listens on `port`, read from /proc/net/tcp: probing with a connection
/// would disturb drive_smpp, which serves one session only.
pub fn listening(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let hex = format!(":{port:04X}");
    table.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 3 && f[1].ends_with(&hex) && f[3] == "0A"
    })
}

/// What Kannel is started with.
#[derive(Default, Clone)]
pub struct KannelOptions {
    /// `denied-prefix` of the fake SMSC: numbers Kannel will not route.
    pub denied_prefix: Option<&'static str>,
    /// `sms-outgoing-queue-limit`: messages Kannel holds while no SMSC is up.
    pub queue_limit: Option<u32>,
    /// Start fakesmsc too.
    pub fakesmsc: bool,
}

pub const KANNEL_USER: &str = "motcua";

/// smsbox on `kannel.conf` in `dir`, once its sendsms port listens.
async fn spawn_smsbox(dir: &Path, sendsms_port: u16) -> Proc {
    let conf = dir.join("kannel.conf");
    let conf_arg = conf.to_str().expect("utf-8 path");
    let smsbox = Proc::spawn("smsbox", SMSBOX, &[conf_arg], dir);
    wait_for("smsbox's sendsms port", || {
        listening(sendsms_port).then_some(())
    })
    .await;
    smsbox
}
pub const KANNEL_PASSWORD: &str = "kannel-pw";

/// bearerbox + smsbox (+ fakesmsc) on free ports.
pub struct Kannel {
    pub dir: tempfile::TempDir,
    pub admin_port: u16,
    pub smsc_port: u16,
    pub sendsms_port: u16,
    pub bearerbox: Proc,
    pub smsbox: Proc,
    pub fakesmsc: Option<Proc>,
}

impl Kannel {
    pub async fn start(options: KannelOptions) -> Self {
        for p in [BEARERBOX, SMSBOX, FAKESMSC] {
            require(p);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let (admin_port, box_port, smsc_port, sendsms_port) =
            (free_port(), free_port(), free_port(), free_port());
        let d = dir.path().display();
        let denied = options
            .denied_prefix
            .map(|p| format!("denied-prefix = \"{p}\"\n"))
            .unwrap_or_default();
        let limit = options
            .queue_limit
            .map(|n| format!("sms-outgoing-queue-limit = {n}\n"))
            .unwrap_or_default();
        let conf = format!(
            r#"group = core
admin-port = {admin_port}
admin-interface = 127.0.0.1
admin-password = adm
smsbox-port = {box_port}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "{d}/bearerbox.log"
log-level = 0
dlr-storage = internal
{limit}
group = smsc
smsc = fake
smsc-id = fake
port = {smsc_port}
our-host = 127.0.0.1
connect-allow-ip = "127.0.0.1"
{denied}
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box_port}
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{d}/smsbox.log"
log-level = 0

group = sendsms-user
username = {KANNEL_USER}
password = {KANNEL_PASSWORD}
max-messages = 3
concatenation = true
"#
        );
        let conf_path = dir.path().join("kannel.conf");
        std::fs::write(&conf_path, conf).expect("kannel.conf");
        let conf_arg = conf_path.to_str().expect("utf-8 path").to_string();
        let bearerbox = Proc::spawn("bearerbox", BEARERBOX, &[&conf_arg], dir.path());
        wait_for("bearerbox's box port", || listening(box_port).then_some(())).await;
        let smsbox = spawn_smsbox(dir.path(), sendsms_port).await;
        let mut k = Self {
            dir,
            admin_port,
            smsc_port,
            sendsms_port,
            bearerbox,
            smsbox,
            fakesmsc: None,
        };
        if options.fakesmsc {
            k.start_fakesmsc().await;
        }
        k
    }

    /// Starts smsbox again after `smsbox.stop()`.
    pub async fn restart_smsbox(&mut self) {
        self.smsbox = spawn_smsbox(self.dir.path(), self.sendsms_port).await;
    }

    pub fn sendsms_url(&self) -> String {
        format!("http://127.0.0.1:{}/cgi-bin/sendsms", self.sendsms_port)
    }

    /// Starts fakesmsc and waits until bearerbox calls the SMSC online.
    pub async fn start_fakesmsc(&mut self) {
        let port = self.smsc_port.to_string();
        // -m 0: it sends no messages of its own, it only prints what it receives.
        self.fakesmsc = Some(Proc::spawn(
            "fakesmsc",
            FAKESMSC,
            &["-H", "127.0.0.1", "-r", &port, "-m", "0", "1 2 text unused"],
            self.dir.path(),
        ));
        let status = format!(
            "http://127.0.0.1:{}/status.txt?password=adm",
            self.admin_port
        );
        let start = Instant::now();
        loop {
            let body = match http().get(&status).send().await {
                Ok(r) => r.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if body
                .lines()
                .any(|l| l.contains("fake[fake]") && l.contains("(online"))
            {
                return;
            }
            assert!(start.elapsed() < DEADLINE, "fakesmsc never online:\n{body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The messages fakesmsc printed, concatenated parts joined.
    pub fn received(&self) -> Vec<FakeMessage> {
        self.fakesmsc
            .as_ref()
            .map(|p| parse_fakesmsc(&p.output()))
            .unwrap_or_default()
    }

    /// Whether smsbox has read a whole sendsms request (it logs it before passing it on).
    pub fn smsbox_got_sendsms(&self) -> bool {
        std::fs::read_to_string(self.dir.path().join("smsbox.log"))
            .is_ok_and(|l| l.contains("Got HTTP request </cgi-bin/sendsms>"))
    }

    pub fn logs(&self) -> String {
        let read = |n: &str| std::fs::read_to_string(self.dir.path().join(n)).unwrap_or_default();
        format!(
            "--- bearerbox.log\n{}\n--- smsbox.log\n{}",
            tail(&read("bearerbox.log")),
            tail(&read("smsbox.log"))
        )
    }
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// One message as fakesmsc printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMessage {
    pub from: String,
    pub to: String,
    /// `text`, `ucs-2`, or `udh` for concatenated parts (joined here).
    pub kind: String,
    /// The payload bytes (URL-decoded for `ucs-2` and `udh`).
    pub data: Vec<u8>,
    /// Number of parts it arrived in.
    pub parts: usize,
}

impl FakeMessage {
    pub fn utf16(&self) -> String {
        let units: Vec<u16> = self
            .data
            .chunks(2)
            .map(|b| u16::from_be_bytes([b[0], b.get(1).copied().unwrap_or(0)]))
            .collect();
        String::from_utf16(&units).expect("UTF-16BE")
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.data.clone()).expect("UTF-8 text")
    }
}

/// Kannel's URL encoding as fakesmsc prints it ('+' is a space byte).
fn url_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("hex byte"));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Parses lines `Got message N: <from to kind data>`; `udh` parts are joined by reference.
pub fn parse_fakesmsc(log: &str) -> Vec<FakeMessage> {
    let mut done = Vec::new();
    // ((from, to, reference), total, parts by sequence number)
    type Parts = Vec<(u8, Vec<u8>)>;
    let mut pending: Vec<((String, String, u8), u8, Parts)> = Vec::new();
    for line in log.lines() {
        let Some(at) = line.find("Got message ") else {
            continue;
        };
        let rest = &line[at..];
        let (Some(open), Some(close)) = (rest.find('<'), rest.rfind('>')) else {
            continue;
        };
        let body = &rest[open + 1..close];
        let mut f = body.splitn(4, ' ');
        let (from, to, kind, data) = (
            f.next().unwrap_or_default().to_string(),
            f.next().unwrap_or_default().to_string(),
            f.next().unwrap_or_default().to_string(),
            f.next().unwrap_or_default(),
        );
        match kind.as_str() {
            "udh" => {
                let (udh, payload) = data.split_once(" data ").expect("udh ... data ...");
                let udh = url_decode(udh);
                let payload = url_decode(payload);
                // 05 00 03 ref total seq
                assert!(
                    udh.len() >= 6 && udh[1] == 0,
                    "8-bit concatenation UDH: {udh:?}"
                );
                let (reference, total, seq) = (udh[3], udh[4], udh[5]);
                let key = (from.clone(), to.clone(), reference);
                let slot = match pending.iter().position(|(k, _, _)| *k == key) {
                    Some(i) => i,
                    None => {
                        pending.push((key, total, Vec::new()));
                        pending.len() - 1
                    }
                };
                pending[slot].2.push((seq, payload));
                if pending[slot].2.len() == usize::from(pending[slot].1) {
                    let (_, total, mut parts) = pending.remove(slot);
                    parts.sort_by_key(|(s, _)| *s);
                    done.push(FakeMessage {
                        from,
                        to,
                        kind,
                        data: parts.into_iter().flat_map(|(_, p)| p).collect(),
                        parts: usize::from(total),
                    });
                }
            }
            "ucs-2" | "data" => done.push(FakeMessage {
                from,
                to,
                kind,
                data: url_decode(data),
                parts: 1,
            }),
            _ => done.push(FakeMessage {
                from,
                to,
                kind,
                data: data.as_bytes().to_vec(),
                parts: 1,
            }),
        }
    }
    done
}

pub const DLR_SECRET: &str = "dlr-secret-for-tests-0123";

/// This server's delivery-report endpoint, as the outbox engineer will mount it.
pub struct DlrEndpoint {
    pub url: String,
    pub reports: mpsc::Receiver<DeliveryReport>,
    pub addr: SocketAddr,
}

pub async fn dlr_endpoint() -> DlrEndpoint {
    let (tx, rx) = mpsc::channel(64);
    let app = axum::Router::new()
        .route(KANNEL_DLR_ROUTE, axum::routing::get(kannel_dlr))
        .with_state(KannelDlr::new(Secret::new(DLR_SECRET), tx));
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    DlrEndpoint {
        url: format!("http://{addr}{KANNEL_DLR_ROUTE}"),
        reports: rx,
        addr,
    }
}

/// drive_smpp, Kannel's SMPP server for tests, on a free port.
pub struct DriveSmpp {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub proc: Proc,
}

/// drive_smpp connects to "bearerbox" at 127.0.0.1:13001 as a fake smsbox once a client binds
/// and panics if nothing answers there; a listener that never talks keeps it alive.
fn hold_port_13001() {
    static HOLD: OnceLock<Option<TcpListener>> = OnceLock::new();
    HOLD.get_or_init(|| {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 13001)).ok();
        if let Some(l) = &l {
            let l = l.try_clone().expect("listener");
            std::thread::spawn(move || {
                let mut held = Vec::new();
                for s in l.incoming().flatten() {
                    held.push(s);
                }
            });
        }
        // Taken already: something answers there, which is all drive_smpp needs.
        l
    });
}

impl DriveSmpp {
    pub async fn start_on(port: u16) -> Self {
        require(DRIVE_SMPP);
        hold_port_13001();
        let dir = tempfile::tempdir().expect("temp dir");
        let p = port.to_string();
        // -m 0: it sends no messages of its own to the client.
        let proc = Proc::spawn(
            "drive_smpp",
            DRIVE_SMPP,
            &["-p", &p, "-m", "0", "-v", "0"],
            dir.path(),
        );
        wait_for("drive_smpp's port", || listening(port).then_some(())).await;
        Self { dir, port, proc }
    }

    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    pub fn log(&self) -> String {
        self.proc.output()
    }
}
