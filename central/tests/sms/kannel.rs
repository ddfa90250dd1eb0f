//! The `kannel` gateway against a real bearerbox + smsbox with Kannel's fakesmsc.

use std::time::Duration;

use motcua_central::sms::{
    DlrState, Gateway, OutgoingSms, SendError, SmsConfig, SmsSettings, Template, Values,
    text::{self, Placeholder},
};

use crate::support::{
    self, DLR_SECRET, KANNEL_PASSWORD, KANNEL_USER, Kannel, KannelOptions, dlr_endpoint, wait_for,
};

fn settings(sendsms_url: &str, password: &str, dlr_url: Option<&str>, extra: &str) -> SmsSettings {
    let dlr = dlr_url
        .map(|u| format!("dlr_url = \"{u}\"\ndlr_secret = \"{DLR_SECRET}\"\n"))
        .unwrap_or_default();
    let toml_text = format!(
        r#"
gateway = "kannel"
office = "UBND phường Bến Nghé"
{extra}
[kannel]
sendsms_url = "{sendsms_url}"
username = "{KANNEL_USER}"
password = "{password}"
from = "UBND-BN"
timeout_secs = 20
{dlr}
"#
    );
    let config: SmsConfig = toml::from_str(&toml_text).expect("parses");
    config.check().expect("checks")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vietnamese_text_arrives_exactly_once_and_delivery_is_reported() {
    let kannel = Kannel::start(KannelOptions {
        fakesmsc: true,
        ..KannelOptions::default()
    })
    .await;
    let mut dlr = dlr_endpoint().await;
    let accented = settings(&kannel.sendsms_url(), KANNEL_PASSWORD, Some(&dlr.url), "");
    let unaccented = settings(
        &kannel.sendsms_url(),
        KANNEL_PASSWORD,
        Some(&dlr.url),
        "unaccented = true",
    );
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let gateway = Gateway::start(&accented, tx).expect("gateway");
    let values = Values {
        code: Some("H56.22-250101-0001"),
        ..Values::default()
    };
    // One UCS-2 segment, the default "result ready" (two UCS-2 segments, which Kannel
    // concatenates), and the same folded to GSM-7 (one segment).
    let short = Template::parse(
        "{office}: hồ sơ {code} đã có kết quả.",
        &[Placeholder::Office, Placeholder::Code],
    )
    .expect("template");
    let one = accented.compose(&short, values).expect("fits");
    let two = accented
        .compose(&accented.templates.status_9, values)
        .expect("fits");
    let ascii = unaccented
        .compose(&unaccented.templates.status_9, values)
        .expect("fits");
    assert_eq!(
        one.text,
        "UBND phường Bến Nghé: hồ sơ H56.22-250101-0001 đã có kết quả."
    );
    assert_eq!((one.encoding, one.segments), (text::Encoding::Ucs2, 1));
    assert_eq!(
        two.text,
        "UBND phường Bến Nghé: hồ sơ H56.22-250101-0001 đã có kết quả. Mời quý vị đến nhận tại bộ phận Một cửa."
    );
    assert_eq!((two.encoding, two.segments), (text::Encoding::Ucs2, 2));
    assert_eq!(
        ascii.text,
        "UBND phuong Ben Nghe: ho so H56.22-250101-0001 da co ket qua. Moi quy vi den nhan tai bo phan Mot cua."
    );
    assert_eq!((ascii.encoding, ascii.segments), (text::Encoding::Gsm7, 1));

    for (id, to, p) in [
        ("m-1", "0912345678", &one),
        ("m-2", "0912345679", &two),
        ("m-3", "0387654321", &ascii),
    ] {
        let accepted = gateway
            .send(&OutgoingSms::new(id, to, p))
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}\n{}", kannel.logs()));
        assert_eq!(accepted.gateway_id.as_deref(), Some(id));
    }

    let received = wait_for("three messages at fakesmsc", || {
        let r = kannel.received();
        (r.len() >= 3).then_some(r)
    })
    .await;
    // Every delivery report comes back to our handler, matched by the outbox id.
    let mut reports = Vec::new();
    while reports.len() < 3 {
        let r = tokio::time::timeout(support::DEADLINE, dlr.reports.recv())
            .await
            .unwrap_or_else(|_| panic!("delivery reports: {reports:?}\n{}", kannel.logs()))
            .expect("channel open");
        reports.push(r);
    }
    reports.sort_by(|a, b| a.gateway_id.cmp(&b.gateway_id));
    for (r, id) in reports.iter().zip(["m-1", "m-2", "m-3"]) {
        assert_eq!(
            (r.gateway_id.as_str(), r.state),
            (id, DlrState::Delivered),
            "{r:?}"
        );
        assert!(
            r.raw.contains("smsc=fake") && !r.raw.contains(DLR_SECRET),
            "{}",
            r.raw
        );
        assert!(!r.raw.contains("912345678") && !r.raw.contains("387654321"));
    }
    // By now a duplicate would have arrived too: still exactly one of each.
    let received_now = kannel.received();
    assert_eq!(received_now, received, "nothing more arrived");
    assert_eq!(received.len(), 3, "{received:#?}");
    let by_to = |to: &str| {
        received
            .iter()
            .find(|m| m.to == to)
            .unwrap_or_else(|| panic!("nothing to {to}: {received:#?}"))
    };
    let m1 = by_to("84912345678");
    assert_eq!((m1.from.as_str(), m1.kind.as_str()), ("UBND-BN", "ucs-2"));
    assert_eq!(m1.utf16(), one.text);
    let m2 = by_to("84912345679");
    assert_eq!((m2.kind.as_str(), m2.parts), ("udh", 2));
    assert_eq!(m2.utf16(), two.text);
    let m3 = by_to("84387654321");
    assert_eq!(m3.kind, "text");
    assert_eq!(m3.text(), ascii.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_throttled_and_down() {
    // No fakesmsc yet: Kannel queues one message, then says its queue is full.
    let mut kannel = Kannel::start(KannelOptions {
        denied_prefix: Some("8499"),
        queue_limit: Some(1),
        fakesmsc: false,
    })
    .await;
    let s = settings(&kannel.sendsms_url(), KANNEL_PASSWORD, None, "");
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let gateway = Gateway::start(&s, tx).expect("gateway");
    let p = text::prepare("Xin chào quý vị", 3).expect("fits");

    // A number Kannel does not route: refused for good, with Kannel's reason.
    let refused = gateway
        .send(&OutgoingSms::new("r-1", "0991234567", &p))
        .await
        .expect_err("refused");
    assert_eq!(
        refused,
        SendError::Rejected("Kannel answered 403: Not routable. Do not try again.".into())
    );

    let queued = gateway
        .send(&OutgoingSms::new("q-1", "0912345678", &p))
        .await;
    assert!(queued.is_ok(), "{queued:?}\n{}", kannel.logs());
    let throttled = gateway
        .send(&OutgoingSms::new("q-2", "0912345678", &p))
        .await
        .expect_err("queue full");
    assert!(matches!(throttled, SendError::Throttled(d) if d >= Duration::from_secs(1)));

    // The SMSC comes up: the queued message goes, once.
    kannel.start_fakesmsc().await;
    let got = wait_for("the queued message", || {
        let r = kannel.received();
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(got[0].utf16(), "Xin chào quý vị");

    // A wrong password is our configuration, not the message's fault: kept for retry.
    let wrong = settings(&kannel.sendsms_url(), "not-the-password", None, "");
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let e = Gateway::start(&wrong, tx)
        .expect("gateway")
        .send(&OutgoingSms::new("w-1", "0912345678", &p))
        .await
        .expect_err("login refused");
    assert!(
        matches!(&e, SendError::Transient(s) if s.contains("Authorization failed")),
        "{e:?}"
    );

    // smsbox down: temporary (a pooled connection may fail as "closed" rather than refused).
    kannel.smsbox.stop();
    let e = gateway
        .send(&OutgoingSms::new("d-1", "0912345678", &p))
        .await
        .expect_err("down");
    assert!(
        matches!(&e, SendError::Transient(s) if s.starts_with("Kannel: ")),
        "{e:?}"
    );
    assert_eq!(kannel.received().len(), 1, "nothing else went");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_handler_wants_the_secret() {
    let mut dlr = dlr_endpoint().await;
    let client = support::http();
    let get = |q: String| {
        let client = client.clone();
        let url = format!("{}?{q}", dlr.url);
        async move {
            client
                .get(url)
                .send()
                .await
                .expect("answer")
                .status()
                .as_u16()
        }
    };
    assert_eq!(get("id=m-1&type=1".into()).await, 403);
    assert_eq!(get("secret=guess&id=m-1&type=1".into()).await, 403);
    assert_eq!(get(format!("secret={DLR_SECRET}&id=m-1&type=x")).await, 400);
    assert_eq!(
        get(format!("secret={DLR_SECRET}&id=m-1&type=16&ts=0")).await,
        200
    );
    let r = dlr.reports.recv().await.expect("report");
    assert_eq!(
        (r.gateway_id.as_str(), r.state),
        ("m-1", DlrState::Rejected)
    );
    assert!(
        dlr.reports.try_recv().is_err(),
        "refused reports were not recorded"
    );
}
