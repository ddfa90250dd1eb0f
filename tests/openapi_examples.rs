//! Every example in docs/central-api.openapi.yaml decodes with the kiosk's own models: an
//! integrator who copies an answer from the YAML gets one the kiosk reads.

use motcua_kiosk::server::events::EventStream;
use motcua_kiosk::server::model::{
    self, CatalogSnapshot, Dossier, FeedbackAck, FeedbackRequest, Heartbeat, HeartbeatAck, Problem,
    QueueServices, Subscription, SubscriptionRequest, Ticket, TicketRequest, VoidRequest,
    VoidedTicket, WaitingEvent,
};
use motcua_kiosk::server::{ErrorKind, ServerError};
use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::support;

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => panic!("unexpected key {other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect::<Map<String, Value>>(),
        ),
        Yaml::Null => Value::Null,
        other => panic!("unexpected YAML {other:?}"),
    }
}

fn contract() -> Value {
    let path = support::repo_root().join("docs/central-api.openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("the OpenAPI file");
    let docs = YamlLoader::load_from_str(&text).expect("valid YAML");
    to_json(&docs[0])
}

/// Resolves a local `$ref` (`#/components/responses/BadRequest`).
fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.trim_start_matches('#');
            resolve(root, root.pointer(pointer).unwrap_or_else(|| panic!("{r}")))
        }
        None => v,
    }
}

/// `(media type, example name, value)` of a request body or response.
fn examples(root: &Value, holder: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    let holder = resolve(root, holder);
    for (media, content) in holder["content"].as_object().into_iter().flatten() {
        for (name, example) in content["examples"].as_object().into_iter().flatten() {
            out.push((media.clone(), name.clone(), example["value"].clone()));
        }
    }
    out
}

fn decode_answer(operation: &str, status: u16, body: &[u8]) -> Result<(), String> {
    let e = |e: ServerError| e.to_string();
    match operation {
        "getCatalog" => model::decode::<CatalogSnapshot>(body).map(drop).map_err(e),
        "listServices" => model::decode::<QueueServices>(body).map(drop).map_err(e),
        "issueTicket" => model::decode::<Ticket>(body).map(drop).map_err(e),
        "voidTicket" => model::decode::<VoidedTicket>(body).map(drop).map_err(e),
        "getDossier" => model::decode::<Dossier>(body).map(drop).map_err(e),
        "postFeedback" => model::decode::<FeedbackAck>(body).map(drop).map_err(e),
        "heartbeat" => model::decode::<HeartbeatAck>(body).map(drop).map_err(e),
        "subscribeToDossier" => model::decode::<Subscription>(body).map(drop).map_err(e),
        other => Err(format!("no kiosk decoder for {other} ({status})")),
    }
}

/// An event stream example as the kiosk's events thread reads it: every `waiting` board decodes.
fn read_events(text: &str) -> Result<(), String> {
    let mut stream = EventStream::from_reader(Box::new(std::io::Cursor::new(text.to_string())));
    let mut boards = 0;
    while let Some(event) = stream.next_event().map_err(|e| e.to_string())? {
        if event.kind == "waiting" {
            serde_json::from_str::<WaitingEvent>(&event.data).map_err(|e| e.to_string())?;
            boards += 1;
        }
    }
    (boards > 0)
        .then_some(())
        .ok_or_else(|| "no waiting board in the example".to_string())
}

fn decode_request(operation: &str, body: &Value) -> Result<(), String> {
    let e = |e: serde_json::Error| e.to_string();
    match operation {
        "issueTicket" => serde_json::from_value::<TicketRequest>(body.clone())
            .map(drop)
            .map_err(e),
        "voidTicket" => serde_json::from_value::<VoidRequest>(body.clone())
            .map(drop)
            .map_err(e),
        "postFeedback" => serde_json::from_value::<FeedbackRequest>(body.clone())
            .map(drop)
            .map_err(e),
        "heartbeat" => serde_json::from_value::<Heartbeat>(body.clone())
            .map(drop)
            .map_err(e),
        "subscribeToDossier" => serde_json::from_value::<SubscriptionRequest>(body.clone())
            .map(drop)
            .map_err(e),
        other => Err(format!("no kiosk request model for {other}")),
    }
}

#[test]
fn every_example_of_a_kiosk_call_decodes_with_the_kiosk_models() {
    let root = contract();
    let mut answers = 0;
    let mut problems = 0;
    let mut requests = 0;
    for (path, item) in root["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("methods") {
            let id = op["operationId"].as_str().expect("operationId");
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert!(!tags.is_empty(), "{method} {path} has no tag");
            let for_kiosk = tags.contains(&"kiosk");
            if for_kiosk && let Some(body) = op.get("requestBody") {
                for (_, name, value) in examples(&root, body) {
                    decode_request(id, &value).unwrap_or_else(|e| panic!("{id} {name}: {e}"));
                    requests += 1;
                }
            }
            for (status, response) in op["responses"].as_object().expect("responses") {
                let code: u16 = status.parse().unwrap_or(500);
                for (media, name, value) in examples(&root, response) {
                    let bytes = serde_json::to_vec(&value).expect("json");
                    if media == "application/problem+json" {
                        // Every problem example reads as a problem, and maps to the error
                        // the kiosk shows for its status.
                        let p: Problem = model::decode(&bytes).expect("a problem document");
                        assert_eq!(value["status"], code, "{id} {name}");
                        let err = ServerError::from_status(code, Some("26"), Some(&bytes));
                        let kind = err.kind();
                        match code {
                            401 | 403 => assert_eq!(kind, ErrorKind::NotAuthorized),
                            404 => assert_eq!(kind, ErrorKind::NotFound),
                            429 => assert_eq!(kind, ErrorKind::RateLimited),
                            500..=599 => assert_eq!(kind, ErrorKind::Busy),
                            _ => {
                                assert_eq!(kind, ErrorKind::Rejected, "{id} {name}");
                                assert_eq!(p.code.as_deref(), value["code"].as_str());
                            }
                        }
                        problems += 1;
                    } else if media == "text/event-stream" && for_kiosk {
                        read_events(value.as_str().expect("an event stream example is text"))
                            .unwrap_or_else(|e| panic!("{id} {status} {name}: {e}"));
                        answers += 1;
                    } else if for_kiosk {
                        decode_answer(id, code, &bytes)
                            .unwrap_or_else(|e| panic!("{id} {status} {name}: {e}"));
                        answers += 1;
                    }
                }
            }
        }
    }
    // A floor, so an example section lost by a YAML edit is noticed.
    assert!(answers >= 10, "{answers} answer examples");
    assert!(problems >= 12, "{problems} problem examples");
    assert!(requests >= 6, "{requests} request examples");
}
