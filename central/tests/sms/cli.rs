//! `motcua-central sms-test PHONE --config FILE`, run as a process.

use std::process::Command;

use crate::support::{KANNEL_PASSWORD, KANNEL_USER, Kannel, KannelOptions, wait_for};

fn sms_test(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua-central"))
        .arg("sms-test")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_one_message_through_kannel_and_tells_what_happened() {
    let kannel = Kannel::start(KannelOptions {
        fakesmsc: true,
        ..KannelOptions::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("central.toml");
    std::fs::write(
        &path,
        format!(
            r#"[server]
listen = "127.0.0.1:8080"

[sms]
gateway = "kannel"
office = "UBND phường Bến Nghé"

[sms.kannel]
sendsms_url = "{}"
username = "{KANNEL_USER}"
password = "{KANNEL_PASSWORD}"
from = "UBND-BN"
"#,
            kannel.sendsms_url()
        ),
    )
    .expect("config");
    let (ok, out, err) = sms_test(&["0912345678", "--config", path.to_str().expect("path")]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("to:       09xxxxx678"), "{out}");
    assert!(
        !out.contains("0912345678") && !err.contains("0912345678"),
        "{out}{err}"
    );
    assert!(
        out.contains("text:     UBND phường Bến Nghé: tin nhắn thử của hệ thống Một Cửa."),
        "{out}"
    );
    assert!(out.contains("encoding: UCS-2 (data_coding 8)"), "{out}");
    assert!(out.contains("segments: 1 (cap 3)"), "{out}");
    assert!(
        out.contains("result:   accepted; gateway id sms-test-"),
        "{out}"
    );
    let got = wait_for("the test message at fakesmsc", || {
        let r = kannel.received();
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(
        got[0].utf16(),
        "UBND phường Bến Nghé: tin nhắn thử của hệ thống Một Cửa."
    );
}

#[test]
fn reports_every_problem_and_disabled_sending() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("central.toml");
    let path_arg = path.to_str().expect("path").to_string();
    std::fs::write(
        &path,
        "[sms]\ngateway = \"smpp\"\nmax_segments = 0\n[sms.templates]\ncalled = \"{quay}\"\n",
    )
    .expect("config");
    let (ok, out, err) = sms_test(&["0912345678", "--config", &path_arg]);
    assert!(!ok, "{out}");
    assert!(
        err.contains("sms.max_segments: is 0 (allowed: 1 to 10)"),
        "{err}"
    );
    assert!(err.contains("sms.templates.called: names {quay}"), "{err}");
    assert!(err.contains("sms.smpp: is missing"), "{err}");

    std::fs::write(&path, "[sms]\ngatewy = \"none\"\n").expect("config");
    let (ok, _, err) = sms_test(&["0912345678", "--config", &path_arg]);
    assert!(!ok);
    assert!(
        err.contains("unknown field `gatewy`") && err.contains("line 2"),
        "{err}"
    );

    std::fs::write(&path, "[sms]\ngateway = \"none\"\n").expect("config");
    let (ok, out, _) = sms_test(&["0912345678", "--config", &path_arg]);
    assert!(!ok);
    assert!(
        out.contains("result:   not sent: sending SMS is disabled"),
        "{out}"
    );

    let (ok, _, err) = sms_test(&["02812345678", "--config", &path_arg]);
    assert!(!ok);
    assert!(err.contains("is not a Vietnamese mobile number"), "{err}");
}
