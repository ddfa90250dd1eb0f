//! The `smpp` gateway: against Kannel's drive_smpp (an SMSC the project did not write), with a
//! byte recorder between them that an independent reader checks; and against a scripted SMSC
//! for what drive_smpp never answers (throttling, a refused number, delivery receipts).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use motcua_central::sms::{
    DlrState, Gateway, OutgoingSms, SendError, SmsConfig, SmsSettings,
    text::{self, Encoding},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{DEADLINE, DriveSmpp, free_port, wait_for};

fn settings(port: u16, bind: &str) -> SmsSettings {
    let toml_text = format!(
        r#"
gateway = "smpp"
[smpp]
address = "127.0.0.1:{port}"
system_id = "motcua"
password = "pw"
system_type = "VMA"
source_addr = "UBND-BN"
bind = "{bind}"
enquire_link_secs = 5
response_timeout_secs = 20
connect_timeout_secs = 20
"#
    );
    let config: SmsConfig = toml::from_str(&toml_text).expect("parses");
    config.check().expect("checks")
}

/// Copies a TCP session both ways and keeps what the client sent.
struct Recorder {
    port: u16,
    sent: Arc<Mutex<Vec<u8>>>,
}

async fn recorder(target: u16) -> Recorder {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let keep = sent.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
                continue;
            };
            let (mut cr, mut cw) = client.into_split();
            let (mut sr, mut sw) = server.into_split();
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = cr.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    // Kept before it is forwarded: once drive_smpp has it, so have we.
                    keep.lock().expect("lock").extend_from_slice(&buf[..n]);
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = sw.shutdown().await;
            });
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut sr, &mut cw).await;
                let _ = cw.shutdown().await;
            });
        }
    });
    Recorder { port, sent }
}

/// A submit_sm read from the wire by hand (SMPP 3.4, 4.4.1), independently of rusmpp.
#[derive(Debug)]
struct Submit {
    source_ton: u8,
    source: String,
    dest_ton: u8,
    dest: String,
    esm_class: u8,
    registered_delivery: u8,
    data_coding: u8,
    short_message: Vec<u8>,
}

fn c_str(b: &[u8], at: &mut usize) -> String {
    let end = b[*at..].iter().position(|&c| c == 0).expect("NUL") + *at;
    let s = String::from_utf8_lossy(&b[*at..end]).into_owned();
    *at = end + 1;
    s
}

fn pdus(bytes: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 16 <= bytes.len() {
        let word = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let len = word(at) as usize;
        if at + len > bytes.len() {
            break;
        }
        out.push((
            word(at + 4),
            word(at + 8),
            bytes[at + 16..at + len].to_vec(),
        ));
        at += len;
    }
    out
}

fn submits(bytes: &[u8]) -> Vec<Submit> {
    pdus(bytes)
        .into_iter()
        .filter(|(id, _, _)| *id == 0x0000_0004)
        .map(|(_, _, b)| {
            let mut at = 0;
            let _service_type = c_str(&b, &mut at);
            let source_ton = b[at];
            at += 2;
            let source = c_str(&b, &mut at);
            let dest_ton = b[at];
            at += 2;
            let dest = c_str(&b, &mut at);
            let esm_class = b[at];
            at += 3; // esm_class, protocol_id, priority_flag
            c_str(&b, &mut at); // schedule_delivery_time
            c_str(&b, &mut at); // validity_period
            let registered_delivery = b[at];
            let data_coding = b[at + 2];
            let len = usize::from(b[at + 4]);
            at += 5;
            Submit {
                source_ton,
                source,
                dest_ton,
                dest,
                esm_class,
                registered_delivery,
                data_coding,
                short_message: b[at..at + len].to_vec(),
            }
        })
        .collect()
}

fn utf16be(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_sm_reaches_drive_smpp_with_the_right_coding_and_text() {
    let smsc = DriveSmpp::start().await;
    let rec = recorder(smsc.port).await;
    // drive_smpp answers bind_transmitter and bind_receiver, not bind_transceiver.
    let s = settings(rec.port, "transmitter");
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let gateway = Gateway::start(&s, tx).expect("gateway");

    let ucs2 = text::prepare("UBND phường Bến Nghé: hồ sơ H56 đã có kết quả.", 3).expect("fits");
    let gsm = text::prepare(&text::fold(&ucs2.text), 3).expect("fits");
    let long = text::prepare(&"Mời quý vị đến nhận kết quả. ".repeat(3), 3).expect("fits");
    assert_eq!(
        (ucs2.encoding, gsm.encoding),
        (Encoding::Ucs2, Encoding::Gsm7)
    );
    assert_eq!(long.segments, 2);
    for (id, p) in [("s-1", &ucs2), ("s-2", &gsm), ("s-3", &long)] {
        gateway
            .send(&OutgoingSms::new(id, "0912345678", p))
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}\n{}", smsc.log()));
    }

    // drive_smpp handled four submit_sm (the long message is two) and logged the GSM text.
    let log = wait_for("drive_smpp to log four submit_sm", || {
        let log = smsc.log();
        (log.matches("Handling SMPP PDU of type submit_sm").count() >= 4).then_some(log)
    })
    .await;
    assert_eq!(
        log.matches("Handling SMPP PDU of type submit_sm").count(),
        4,
        "{log}"
    );
    assert!(
        log.contains(&format!("submit_sm: short_message = <{}>", gsm.text)),
        "{log}"
    );
    assert!(
        log.contains("Handling SMPP PDU of type bind_transmitter"),
        "{log}"
    );

    let sent = submits(&rec.sent.lock().expect("lock"));
    assert_eq!(sent.len(), 4, "{sent:#?}");
    for s in &sent {
        assert_eq!((s.source_ton, s.source.as_str()), (5, "UBND-BN"));
        assert_eq!((s.dest_ton, s.dest.as_str()), (1, "84912345678"));
    }
    assert_eq!(sent[0].data_coding, 8);
    assert_eq!(sent[0].short_message, utf16be(&ucs2.text));
    // A transmitter session asks for no receipts.
    assert_eq!(sent[0].registered_delivery, 0);
    assert_eq!(sent[1].data_coding, 0);
    assert_eq!(
        sent[1].short_message,
        gsm.text.as_bytes(),
        "plain ASCII is the same in GSM-7"
    );
    // Two parts with one UDH reference.
    let (a, b) = (&sent[2], &sent[3]);
    assert_eq!((a.data_coding, b.data_coding), (8, 8));
    assert_eq!((a.esm_class & 0x40, b.esm_class & 0x40), (0x40, 0x40));
    assert_eq!(&a.short_message[..3], &[5, 0, 3]);
    assert_eq!(a.short_message[3], b.short_message[3]);
    assert_eq!((a.short_message[4], a.short_message[5]), (2, 1));
    assert_eq!((b.short_message[4], b.short_message[5]), (2, 2));
    let joined = [&a.short_message[6..], &b.short_message[6..]].concat();
    assert_eq!(joined, utf16be(&long.text));

    // The session is kept alive with enquire_link (every 5 s here) and stays usable.
    wait_for("an enquire_link at drive_smpp", || {
        smsc.log()
            .contains("Handling SMPP PDU of type enquire_link")
            .then_some(())
    })
    .await;
    gateway
        .send(&OutgoingSms::new("s-4", "0912345678", &gsm))
        .await
        .expect("still bound");
    gateway.close().await;
    let log = wait_for("drive_smpp to see the unbind", || {
        let log = smsc.log();
        log.contains("Handling SMPP PDU of type unbind")
            .then_some(log)
    })
    .await;
    assert_eq!(
        log.matches("Handling SMPP PDU of type submit_sm").count(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_then_up_then_down_again() {
    let port = free_port();
    let s = settings(port, "transmitter");
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let gateway = Gateway::start(&s, tx).expect("gateway");
    let p = text::prepare("Xin chao", 3).expect("fits");
    let sms = OutgoingSms::new("d-1", "0912345678", &p);

    let e = gateway.send(&sms).await.expect_err("nothing listens");
    assert!(
        matches!(&e, SendError::Transient(s) if s.contains("cannot connect")),
        "{e:?}"
    );

    // The SMSC comes up: the gateway reconnects by itself (backoff 1, 2, 4 … s).
    let mut smsc = DriveSmpp::start_on(port).await;
    let start = tokio::time::Instant::now();
    loop {
        match gateway.send(&sms).await {
            Ok(_) => break,
            Err(SendError::Transient(_)) if start.elapsed() < DEADLINE => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("{e}\n{}", smsc.log()),
        }
    }

    // It goes down: the next message is a temporary failure, not a hang.
    smsc.proc.stop();
    let start = tokio::time::Instant::now();
    loop {
        match tokio::time::timeout(DEADLINE, gateway.send(&sms)).await {
            Err(_) => panic!("send hung with the SMSC gone"),
            Ok(Err(SendError::Transient(_))) => break,
            Ok(other) => {
                assert!(start.elapsed() < DEADLINE, "still {other:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    gateway.close().await;
}

/// Raw PDUs for the scripted SMSC.
fn pdu(id: u32, status: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + body.len() as u32).to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&status.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(body);
    out
}

const THROTTLED_NUMBER: &str = "84900000001";
const BAD_NUMBER: &str = "84900000002";

/// An SMSC that answers by destination: throttled, invalid destination (both without a body,
/// as SMPP 3.4 has it), else accepted with a receipt right after.
async fn scripted_smsc() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut next_id = 0u32;
                loop {
                    let mut head = [0u8; 16];
                    if s.read_exact(&mut head).await.is_err() {
                        return;
                    }
                    let len = u32::from_be_bytes(head[0..4].try_into().expect("4")) as usize;
                    let id = u32::from_be_bytes(head[4..8].try_into().expect("4"));
                    let seq = u32::from_be_bytes(head[12..16].try_into().expect("4"));
                    let mut body = vec![0u8; len - 16];
                    if s.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let mut out = Vec::new();
                    match id {
                        0x2 | 0x9 => out.extend(pdu(id | 0x8000_0000, 0, seq, b"scripted\0")),
                        0x15 | 0x6 => out.extend(pdu(id | 0x8000_0000, 0, seq, b"")),
                        0x4 => {
                            let sub = &submits(&pdu(4, 0, seq, &body))[0];
                            match sub.dest.as_str() {
                                THROTTLED_NUMBER => out.extend(pdu(0x8000_0004, 0x58, seq, b"")),
                                BAD_NUMBER => out.extend(pdu(0x8000_0004, 0x0B, seq, b"")),
                                _ => {
                                    next_id += 1;
                                    let mid = format!("msg-{next_id}");
                                    out.extend(pdu(
                                        0x8000_0004,
                                        0,
                                        seq,
                                        format!("{mid}\0").as_bytes(),
                                    ));
                                    if sub.registered_delivery & 1 == 1 {
                                        let text = format!(
                                            "id:{mid} sub:001 dlvrd:001 submit date:2503011200 done date:2503011201 stat:DELIVRD err:000 text:"
                                        );
                                        let mut b = Vec::new();
                                        b.extend_from_slice(b"\0\x01\x01");
                                        b.extend_from_slice(format!("{}\0", sub.dest).as_bytes());
                                        b.extend_from_slice(b"\x05\x00UBND-BN\0");
                                        // esm_class: delivery receipt; protocol, priority,
                                        // schedule, validity, registered, replace, coding, default id
                                        b.extend_from_slice(b"\x04\x00\x00\0\0\x00\x00\x00\x00");
                                        b.push(text.len() as u8);
                                        b.extend_from_slice(text.as_bytes());
                                        out.extend(pdu(0x5, 0, 1000 + next_id, &b));
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                    if !out.is_empty() && s.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_refusal_and_receipts() {
    let port = scripted_smsc().await;
    let s = settings(port, "transceiver");
    let (tx, mut reports) = tokio::sync::mpsc::channel(8);
    let gateway = Gateway::start(&s, tx).expect("gateway");
    let p = text::prepare("Ho so da co ket qua", 3).expect("fits");

    let e = gateway
        .send(&OutgoingSms::new("t-1", "0900000001", &p))
        .await
        .expect_err("throttled");
    assert!(
        matches!(e, SendError::Throttled(d) if d >= Duration::from_secs(1)),
        "{e:?}"
    );

    let e = gateway
        .send(&OutgoingSms::new("t-2", "0900000002", &p))
        .await
        .expect_err("refused");
    assert_eq!(
        e,
        SendError::Rejected(
            "SMSC refused the message: ESME_RINVDSTADR (invalid destination address), 0x0000000B"
                .into()
        )
    );

    let ok = gateway
        .send(&OutgoingSms::new("t-3", "0912345678", &p))
        .await
        .expect("accepted");
    assert_eq!(ok.gateway_id.as_deref(), Some("msg-1"));
    let r = tokio::time::timeout(DEADLINE, reports.recv())
        .await
        .expect("a receipt in time")
        .expect("channel open");
    assert_eq!(
        (r.gateway_id.as_str(), r.state),
        ("msg-1", DlrState::Delivered)
    );
    assert_eq!(r.at.to_rfc3339(), "2025-03-01T05:01:00+00:00");
    assert!(r.raw.starts_with("id:msg-1 "), "{}", r.raw);
    gateway.close().await;
}
