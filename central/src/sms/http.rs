//! A generic JSON POST for Vietnamese brandname providers (eSMS, SpeedSMS, VietGuys, …): the
//! body is a template, success is one field's value. [`super::config::HttpConfig::ESMS_EXAMPLE`]
//! is an example to adapt.
//!
//! `{id}` carries the outbox id: providers with a request id (eSMS's `RequestId`) refuse a
//! second request with the same id, which makes retries safe there.

use std::time::Duration;

use serde_json::Value;

use super::config::HttpConfig;
use super::gateway::{Accepted, GatewayError, OutgoingSms, SendError};
use super::kannel::{describe, http_client, sending_failed};
use super::phone::Mobile;
use super::text::Encoding;

/// Without a Retry-After, how long a `429` waits.
const TOO_MANY_WAIT: Duration = Duration::from_secs(30);

/// The body's placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    To,
    ToNational,
    Text,
    Id,
    Unicode,
    DataCoding,
}

const SLOTS: [(&str, Slot); 6] = [
    ("to", Slot::To),
    ("to_national", Slot::ToNational),
    ("text", Slot::Text),
    ("id", Slot::Id),
    ("unicode", Slot::Unicode),
    ("data_coding", Slot::DataCoding),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Slot(Slot),
}

/// A JSON body with placeholders. `{name}` (lower-case letters and `_`) is a placeholder and
/// must be known; every other brace is JSON's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyTemplate {
    pieces: Vec<Piece>,
}

/// What [`BodyTemplate::fill`] inserts.
struct Fill<'a> {
    to: &'a Mobile,
    text: &'a str,
    id: &'a str,
    encoding: Encoding,
}

impl BodyTemplate {
    pub const PLACEHOLDERS: &'static str =
        "{to} (84…), {to_national} (0…), {text}, {id}, {unicode} (1 or 0), {data_coding} (8 or 0)";

    pub fn parse(source: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = source;
        while let Some(at) = rest.find('{') {
            literal.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let name_len = after
                .bytes()
                .take_while(|b| b.is_ascii_lowercase() || *b == b'_')
                .count();
            if name_len > 0 && after[name_len..].starts_with('}') {
                let name = &after[..name_len];
                let slot = SLOTS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| *s)
                    .ok_or_else(|| format!("{{{name}}} is not a placeholder"))?;
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Slot(slot));
                rest = &after[name_len + 1..];
            } else {
                literal.push('{');
                rest = after;
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        if !pieces.contains(&Piece::Slot(Slot::Text)) {
            return Err("has no {text}".into());
        }
        if !pieces
            .iter()
            .any(|p| matches!(p, Piece::Slot(Slot::To | Slot::ToNational)))
        {
            return Err("has neither {to} nor {to_national}".into());
        }
        Ok(Self { pieces })
    }

    /// Values are JSON-escaped (without quotes): the template puts them inside strings.
    fn fill(&self, f: &Fill<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) => out.push_str(l),
                Piece::Slot(slot) => {
                    let value = match slot {
                        Slot::To => f.to.international(),
                        Slot::ToNational => f.to.national(),
                        Slot::Text => f.text.to_string(),
                        Slot::Id => f.id.to_string(),
                        Slot::Unicode => (if f.encoding == Encoding::Ucs2 {
                            "1"
                        } else {
                            "0"
                        })
                        .into(),
                        Slot::DataCoding => f.encoding.data_coding().to_string(),
                    };
                    let quoted = Value::String(value).to_string();
                    out.push_str(&quoted[1..quoted.len() - 1]);
                }
            }
        }
        out
    }

    /// Whether the body is JSON once filled with text full of quotes and backslashes.
    pub fn check_json(&self) -> Result<(), String> {
        let to = Mobile::parse("0912345678").ok_or("sample number")?;
        let body = self.fill(&Fill {
            to: &to,
            text: "a \"quoted\" \\ text\nẠ",
            id: "1",
            encoding: Encoding::Ucs2,
        });
        serde_json::from_str::<Value>(&body)
            .map(|_| ())
            .map_err(|e| {
                format!("is not JSON once filled (are the placeholders inside quotes?): {e}")
            })
    }
}

#[derive(Debug)]
pub struct HttpGateway {
    config: HttpConfig,
    body: BodyTemplate,
    max_segments: usize,
    http: reqwest::Client,
}

/// A JSON value as text: `"100"` and `100` both read `100`.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Hides the number wherever a provider echoes it.
fn scrub(s: &str, to: &Mobile) -> String {
    let s: String = s.chars().take(300).collect();
    s.replace(&to.international(), &to.masked())
        .replace(&to.national(), &to.masked())
}

impl HttpGateway {
    pub fn new(config: HttpConfig, max_segments: usize) -> Result<Self, GatewayError> {
        let body = BodyTemplate::parse(config.body.expose()).map_err(GatewayError::Http)?;
        let http = http_client(config.timeout())?;
        Ok(Self {
            config,
            body,
            max_segments,
            http,
        })
    }

    pub async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        let (to, prepared) = sms.checked(self.max_segments)?;
        let body = self.body.fill(&Fill {
            to: &to,
            text: &prepared.text,
            id: &sms.id,
            encoding: prepared.encoding,
        });
        let mut request = self.http.post(&self.config.url).body(body);
        let mut typed = false;
        for (name, value) in &self.config.headers {
            typed |= name.eq_ignore_ascii_case("content-type");
            request = request.header(name, value.expose());
        }
        if !typed {
            request = request.header("Content-Type", "application/json");
        }
        let response = request
            .send()
            .await
            .map_err(|e| sending_failed("provider", &e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response
            .text()
            .await
            .map_err(|e| SendError::Uncertain(format!("provider: {}", describe(&e))))?;
        let said = || {
            format!(
                "provider answered {}: {}",
                status.as_u16(),
                scrub(text.trim(), &to)
            )
        };
        match status.as_u16() {
            429 => return Err(SendError::Throttled(retry_after.unwrap_or(TOO_MANY_WAIT))),
            408 | 500..=599 => return Err(SendError::Transient(said())),
            400..=499 => return Err(SendError::Rejected(said())),
            200..=299 => {}
            _ => return Err(SendError::Transient(said())),
        }
        // The provider may have taken it if the answer is unreadable (see module doc).
        let json: Value = serde_json::from_str(&text)
            .map_err(|_| SendError::Uncertain(format!("{} (not JSON)", said())))?;
        let value = json
            .pointer(&self.config.success_pointer)
            .map(as_text)
            .unwrap_or_default();
        if value == self.config.success_value {
            let gateway_id = self
                .config
                .id_pointer
                .as_deref()
                .and_then(|p| json.pointer(p))
                .map(as_text)
                .filter(|s| !s.is_empty());
            return Ok(Accepted { gateway_id });
        }
        let message = self
            .config
            .message_pointer
            .as_deref()
            .and_then(|p| json.pointer(p))
            .map(|v| scrub(&as_text(v), &to))
            .unwrap_or_default();
        let reason = format!(
            "provider said {} = {value:?}{}{message}",
            self.config.success_pointer,
            if message.is_empty() { "" } else { ": " }
        );
        if self.config.transient_values.contains(&value) {
            Err(SendError::Transient(reason))
        } else {
            Err(SendError::Rejected(reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_braces_stay_and_values_are_escaped() {
        let t = BodyTemplate::parse(
            r#"{"Phone":"{to}","Content":"{text}","U":"{unicode}","x":{"y":1}}"#,
        )
        .expect("parses");
        let to = Mobile::parse("0912345678").expect("number");
        let body = t.fill(&Fill {
            to: &to,
            text: "\"hi\" </script> \\ ạ",
            id: "7",
            encoding: Encoding::Ucs2,
        });
        let v: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["Phone"], "84912345678");
        assert_eq!(v["Content"], "\"hi\" </script> \\ ạ");
        assert_eq!(v["U"], "1");
        assert_eq!(v["x"]["y"], 1);
    }

    #[test]
    fn bad_bodies() {
        assert_eq!(
            BodyTemplate::parse(r#"{"a":"{txt}"}"#),
            Err("{txt} is not a placeholder".into())
        );
        assert!(BodyTemplate::parse(r#"{"to":"{to}"}"#).is_err());
        let unquoted = BodyTemplate::parse(r#"{"to":"{to}","text":{text}}"#).expect("parses");
        assert!(unquoted.check_json().is_err());
    }
}
