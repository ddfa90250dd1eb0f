//! The whole path through real Kannel, with `motcua-central` run as the office runs it (the
//! binary, `--config central.toml`): a citizen subscribes to a dossier, the office marks it, the
//! fake SMSC receives the message once; the gateway down, a refused number, and the server
//! killed while handing a message over.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{
    DLR_SECRET, KANNEL_PASSWORD, KANNEL_USER, Kannel, KannelOptions, Proc, free_port, http,
    wait_for,
};

const ADMIN: &str = "admin-token-for-the-sms-tests";
const KIOSK_TOKEN: &str = "kiosk-token-for-the-sms-tests";
const CODE: &str = "000.00.17.H56-261201-0042";
const OFFICE: &str = "UBND phường Bến Nghé";

/// `motcua-central --config FILE` on a free port, its log in a file of the test's folder.
struct Central {
    proc: Proc,
    url: String,
    config: PathBuf,
    dir: PathBuf,
}

impl Central {
    /// Writes `central.toml` for Kannel (reports to this server) in `dir` and starts the server.
    async fn start(dir: &Path, kannel: &Kannel) -> Self {
        // A free port can be taken by a Kannel of a test running alongside before the server
        // binds it: then the server exits, and it is started again on another port.
        for _ in 0..3 {
            if let Some(central) = Self::start_on(dir, kannel, free_port()).await {
                return central;
            }
        }
        panic!("motcua-central did not start on three free ports");
    }

    async fn start_on(dir: &Path, kannel: &Kannel, port: u16) -> Option<Self> {
        let config = dir.join("central.toml");
        std::fs::write(
            &config,
            format!(
                r#"[server]
listen = "127.0.0.1:{port}"
database = "central.sqlite3"
always_open = true

[tokens]
admin = "{ADMIN}"

[[kiosks]]
id = "KIOSK-01"
token = "{KIOSK_TOKEN}"

[sms]
gateway = "kannel"
office = "{OFFICE}"

[sms.kannel]
sendsms_url = "{sendsms}"
username = "{KANNEL_USER}"
password = "{KANNEL_PASSWORD}"
from = "UBND-BN"
dlr_url = "http://127.0.0.1:{port}/api/v1/sms/kannel-dlr"
dlr_secret = "{DLR_SECRET}"
timeout_secs = 5
"#,
                sendsms = kannel.sendsms_url()
            ),
        )
        .expect("central.toml");
        Self::run(dir, config, port).await
    }

    /// Starts the server on `config`; `None` when it exits before answering its health check
    /// (its port was taken).
    async fn run(dir: &Path, config: PathBuf, port: u16) -> Option<Self> {
        let path = config.to_str().expect("utf-8 path");
        let mut proc = Proc::spawn(
            "central",
            env!("CARGO_BIN_EXE_motcua-central"),
            &["--config", path],
            dir,
        );
        let health = format!("http://127.0.0.1:{port}/healthz");
        let start = Instant::now();
        loop {
            // Another program on the port answers too: only this server's health check counts.
            let answer = http().get(&health).send().await;
            if answer.is_ok_and(|r| r.status() == 200) {
                break;
            }
            if proc.wait_exit(Duration::from_millis(1)) {
                return None;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "motcua-central not healthy on port {port}:\n{}",
                proc.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(Self {
            proc,
            url: format!("http://127.0.0.1:{port}/api/v1"),
            config,
            dir: dir.to_path_buf(),
        })
    }

    /// The same server started again on its file and port (after a crash or a stop).
    async fn restart(self) -> Self {
        let port = self
            .url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches("/api/v1")
            .parse()
            .expect("port");
        let (dir, config) = (self.dir.clone(), self.config.clone());
        let log = self.log();
        drop(self);
        // Keep what the first run logged: the privacy check reads both.
        std::fs::write(dir.join("central-before.out"), log).expect("log");
        Self::run(&dir, config, port)
            .await
            .expect("the server starts again on its port")
    }

    fn log(&self) -> String {
        let before =
            std::fs::read_to_string(self.dir.join("central-before.out")).unwrap_or_default();
        before + &self.proc.output()
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let r = http()
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the server answers");
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap_or_default();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn messages(&self) -> Vec<Value> {
        let r = http()
            .get(format!("{}/admin/sms", self.url))
            .bearer_auth(ADMIN)
            .send()
            .await
            .expect("the server answers");
        let v: Value = serde_json::from_slice(&r.bytes().await.expect("an answer")).expect("json");
        v["messages"].as_array().cloned().unwrap_or_default()
    }

    /// The dossier [`CODE`], being processed.
    async fn add_dossier(&self) {
        let (status, body) = self
            .post(
                "/admin/dossiers",
                ADMIN,
                json!([{
                    "code": CODE, "procedure_code": "1.001612",
                    "procedure_name": "Đăng ký khai sinh", "applicant_name": "Trần Thị Bình",
                    "status": 4, "received_at": "2026-12-01T08:30:00+07:00",
                    "due_at": "2027-01-20T17:00:00+07:00", "steps": []
                }]),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// What the kiosk sends when a citizen asks for an SMS about [`CODE`].
    async fn subscribe(&self, request_id: &str, phone: &str) {
        let (status, body) = self
            .post(
                &format!("/dossiers/{CODE}/subscriptions"),
                KIOSK_TOKEN,
                json!({ "request_id": request_id, "phone": phone }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    async fn set_status(&self, status: u8) -> Value {
        let (code, body) = self
            .post(
                &format!("/admin/dossiers/{CODE}/status"),
                ADMIN,
                json!({ "status": status }),
            )
            .await;
        assert_eq!(code, 200, "{body}");
        body
    }
}

fn kannel_with_smsc() -> KannelOptions {
    KannelOptions {
        fakesmsc: true,
        ..KannelOptions::default()
    }
}

/// Waits until every message is in one of `states`.
async fn settled(central: &Central, states: &[&str]) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let list = central.messages().await;
        if !list.is_empty()
            && list
                .iter()
                .all(|m| states.iter().any(|s| m["status"] == *s))
        {
            return list;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{list:#?}\n{}",
            central.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_hears_the_result_once_and_is_forgotten_after_handover() {
    let kannel = Kannel::start(kannel_with_smsc()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let central = Central::start(dir.path(), &kannel).await;
    central.add_dossier().await;
    central.subscribe("kiosk-req-1", "0912345678").await;

    // The office marks the result ready: the fake SMSC receives exactly the template's text.
    assert_eq!(central.set_status(9).await["messages"], 1);
    let got = wait_for("the result message at fakesmsc", || {
        let r = kannel.received();
        (!r.is_empty()).then_some(r)
    })
    .await;
    let expected =
        format!("{OFFICE}: hồ sơ {CODE} đã có kết quả. Mời quý vị đến nhận tại bộ phận Một cửa.");
    assert_eq!(got[0].utf16(), expected);
    assert_eq!(
        (got[0].to.as_str(), got[0].from.as_str()),
        ("84912345678", "UBND-BN")
    );
    // Kannel's delivery report comes back to the server and is recorded.
    let list = settled(&central, &["sent"]).await;
    let start = Instant::now();
    while central.messages().await[0]["delivery"] != "delivered" {
        assert!(start.elapsed() < Duration::from_secs(60), "{list:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Handed over: the last message, then the number is gone.
    assert_eq!(central.set_status(10).await["messages"], 1);
    wait_for("the handover message", || {
        (kannel.received().len() == 2).then_some(())
    })
    .await;
    settled(&central, &["sent"]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let received = kannel.received();
    assert_eq!(received.len(), 2, "each once: {received:#?}");
    assert_eq!(
        received[1].utf16(),
        format!("{OFFICE}: hồ sơ {CODE} đã trả kết quả. Cảm ơn quý vị.")
    );

    // Stopped as systemd stops it; nothing on disk or in the log holds the number.
    central.proc.signal("TERM");
    let mut central = central;
    assert!(
        central.proc.wait_exit(Duration::from_secs(20)),
        "stops on TERM"
    );
    for name in [
        "central.sqlite3",
        "central.sqlite3-wal",
        "central.sqlite3-shm",
    ] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap_or_default();
        assert!(!contains(&bytes, "912345678"), "the number is in {name}");
    }
    let log = central.log();
    assert!(
        !log.contains("912345678"),
        "the number is in the log:\n{log}"
    );
    assert!(
        !log.contains(CODE),
        "the dossier code is in the log:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_wait_for_a_gateway_that_is_down_and_go_once_when_it_returns() {
    let mut kannel = Kannel::start(kannel_with_smsc()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let central = Central::start(dir.path(), &kannel).await;
    central.add_dossier().await;
    let phones = ["0912345678", "0387654321", "0701234567"];
    for (i, p) in phones.iter().enumerate() {
        central.subscribe(&format!("req-{i}"), p).await;
    }
    kannel.smsbox.stop();
    assert_eq!(central.set_status(9).await["messages"], 3);
    // Tried and kept while Kannel cannot be reached.
    let start = Instant::now();
    loop {
        let list = central.messages().await;
        if list.len() == 3 && list.iter().all(|m| m["attempts"].as_i64() >= Some(2)) {
            assert!(list.iter().all(|m| m["status"] == "queued"), "{list:#?}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{list:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(kannel.received().is_empty());

    kannel.restart_smsbox().await;
    let list = settled(&central, &["sent"]).await;
    wait_for("three messages at fakesmsc", || {
        (kannel.received().len() >= 3).then_some(())
    })
    .await;
    // Time for a duplicate to show, had one been sent.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut to: Vec<String> = kannel.received().into_iter().map(|m| m.to).collect();
    to.sort();
    assert_eq!(
        to,
        ["84387654321", "84701234567", "84912345678"],
        "{list:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_the_gateway_refuses_fails_with_the_reason_and_is_not_retried() {
    let kannel = Kannel::start(KannelOptions {
        denied_prefix: Some("8499"),
        fakesmsc: true,
        ..KannelOptions::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let central = Central::start(dir.path(), &kannel).await;
    central.add_dossier().await;
    central.subscribe("req-refused", "0991234567").await;
    central.subscribe("req-good", "0912345678").await;
    central.set_status(9).await;
    let list = settled(&central, &["sent", "failed"]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let list_later = central.messages().await;
    // Delivery reports may still arrive; a retry would change the attempts or the status.
    let attempts = |list: &[Value]| -> Vec<(Value, Value, Value, Value)> {
        list.iter()
            .map(|m| {
                (
                    m["id"].clone(),
                    m["status"].clone(),
                    m["attempts"].clone(),
                    m["error"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(attempts(&list), attempts(&list_later), "nothing retried");
    let failed: Vec<&Value> = list.iter().filter(|m| m["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{list:#?}");
    assert_eq!(failed[0]["phone"], "09xxxxx567");
    assert_eq!(failed[0]["attempts"], 1);
    assert_eq!(
        failed[0]["error"],
        "refused: Kannel answered 403: Not routable. Do not try again."
    );
    wait_for("the good number's message", || {
        (!kannel.received().is_empty()).then_some(())
    })
    .await;
    assert_eq!(kannel.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_handing_a_message_over_never_sends_it_twice() {
    let kannel = Kannel::start(kannel_with_smsc()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let central = Central::start(dir.path(), &kannel).await;
    central.add_dossier().await;
    central.subscribe("req-1", "0912345678").await;

    // smsbox takes the message but waits for bearerbox's acknowledgement before it answers:
    // the server is mid-send.
    kannel.bearerbox.signal("STOP");
    central.set_status(9).await;
    let start = Instant::now();
    while central
        .messages()
        .await
        .first()
        .map(|m| m["status"].clone())
        != Some(json!("sending"))
    {
        assert!(start.elapsed() < Duration::from_secs(30), "never sending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // "sending" is written before the request leaves: kill only once smsbox holds it.
    wait_for("smsbox to read the sendsms request", || {
        kannel.smsbox_got_sendsms().then_some(())
    })
    .await;
    central.proc.signal("KILL");
    let central = central.restart().await;
    // The restarted server does not know whether Kannel took it: unconfirmed, not sent again.
    let list = settled(&central, &["unconfirmed"]).await;
    assert!(
        list[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("not sent again")),
        "{list:#?}"
    );

    // Kannel wakes and delivers what it had; its report settles the message as sent.
    kannel.bearerbox.signal("CONT");
    wait_for("the message at fakesmsc", || {
        (!kannel.received().is_empty()).then_some(())
    })
    .await;
    let list = settled(&central, &["sent"]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(kannel.received().len(), 1, "once: {list:#?}");
    assert_eq!(central.messages().await[0]["delivery"], "delivered");
}
