//! The office's live events (`GET /queue/events`, Server-Sent Events) read on a worker thread:
//! a call at a counter reaches the kiosk's queue strip at once instead of at the next poll.

use std::io::{BufRead, BufReader, Read};

use reqwest::blocking::Response;

use super::error::ServerError;

/// A longer line is refused: the office's board for a hundred services is a few kilobytes.
const MAX_LINE: u64 = 256 * 1024;

/// One event as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEvent {
    /// What it is (`called`, `waiting`, `reload`, …); `message` when the server named none.
    pub kind: String,
    /// The JSON payload, as text.
    pub data: String,
    /// The id to send back as `Last-Event-ID` after a reconnection.
    pub id: Option<String>,
}

/// An open event stream. Reading blocks until the next event, a heartbeat or the read timeout.
pub struct EventStream {
    reader: BufReader<Box<dyn Read + Send>>,
    /// The last id seen, also from events with no data.
    last_id: Option<String>,
}

impl EventStream {
    pub(super) fn from_response(response: Response) -> Result<Self, ServerError> {
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // A proxy's HTML page or a JSON answer is not a stream, however long it is.
        if !content_type.starts_with("text/event-stream") {
            return Err(ServerError::BadResponse(format!(
                "the event stream came as {content_type:?}, not text/event-stream"
            )));
        }
        Ok(Self::from_reader(Box::new(response)))
    }

    /// A stream over any reader (the tests feed it bytes).
    pub fn from_reader(reader: Box<dyn Read + Send>) -> Self {
        Self {
            reader: BufReader::new(reader),
            last_id: None,
        }
    }

    /// The id of the last event read: where a reconnection picks up.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The next event; `Ok(None)` when the server closed the stream.
    pub fn next_event(&mut self) -> Result<Option<ServerEvent>, ServerError> {
        let mut kind = String::new();
        let mut data: Option<String> = None;
        let mut id = None;
        loop {
            let Some(line) = self.read_line()? else {
                return Ok(None);
            };
            if line.is_empty() {
                // A blank line ends an event; one with no data (a lone id or event name) is
                // not dispatched, as the SSE rules say.
                if let Some(data) = data.take() {
                    return Ok(Some(ServerEvent {
                        kind: if kind.is_empty() {
                            "message".into()
                        } else {
                            std::mem::take(&mut kind)
                        },
                        data,
                        id: id.take(),
                    }));
                }
                kind.clear();
                continue;
            }
            if line.starts_with(':') {
                continue; // a comment: the heartbeat
            }
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (line.as_str(), ""),
            };
            match field {
                "event" => kind = value.to_string(),
                "data" => match &mut data {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(value);
                    }
                    None => data = Some(value.to_string()),
                },
                "id" if !value.contains('\0') => {
                    id = Some(value.to_string());
                    self.last_id = Some(value.to_string());
                }
                _ => {} // `retry` and unknown fields: the kiosk keeps its own pace
            }
        }
    }

    /// One line without its ending (`\n` or `\r\n`), or `None` at the end of the stream.
    fn read_line(&mut self) -> Result<Option<String>, ServerError> {
        let mut bytes = Vec::new();
        let read = (&mut self.reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| {
                if e.to_string().contains("timed out") {
                    ServerError::Timeout
                } else {
                    ServerError::BadResponse(format!("the event stream broke off: {e}"))
                }
            })?;
        if read == 0 {
            return Ok(None);
        }
        if bytes.len() as u64 > MAX_LINE {
            return Err(ServerError::TooLarge {
                limit: MAX_LINE as usize,
            });
        }
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ServerError::BadResponse("the event stream is not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(text: &'static str) -> EventStream {
        EventStream::from_reader(Box::new(text.as_bytes()))
    }

    #[test]
    fn reads_events_with_ids_and_skips_heartbeats() {
        let mut s = stream(
            ":heartbeat\n\nid: 7\nevent: called\ndata: {\"number\":\"HT-001\"}\n\n\
             event: waiting\ndata: {}\n\n",
        );
        let first = s.next_event().unwrap().unwrap();
        assert_eq!(first.kind, "called");
        assert_eq!(first.data, "{\"number\":\"HT-001\"}");
        assert_eq!(first.id.as_deref(), Some("7"));
        let second = s.next_event().unwrap().unwrap();
        assert_eq!((second.kind.as_str(), second.id), ("waiting", None));
        assert_eq!(s.last_id(), Some("7"));
        assert_eq!(s.next_event().unwrap(), None);
    }

    #[test]
    fn joins_data_lines_and_takes_crlf() {
        let mut s = stream("data: a\r\ndata:b\r\n\r\n");
        let e = s.next_event().unwrap().unwrap();
        assert_eq!((e.kind.as_str(), e.data.as_str()), ("message", "a\nb"));
    }

    #[test]
    fn an_event_without_data_is_not_dispatched() {
        let mut s = stream("event: called\n\nid: 9\n\ndata: x\n\n");
        let e = s.next_event().unwrap().unwrap();
        assert_eq!((e.kind.as_str(), e.data.as_str()), ("message", "x"));
        assert_eq!(s.last_id(), Some("9"));
    }

    #[test]
    fn refuses_an_endless_line_and_bad_bytes() {
        let long: &'static str = Box::leak("data: ".repeat(60_000).into_boxed_str());
        assert!(matches!(
            stream(long).next_event(),
            Err(ServerError::TooLarge { .. })
        ));
        let mut s = EventStream::from_reader(Box::new(&b"data: \xff\n\n"[..]));
        assert!(matches!(s.next_event(), Err(ServerError::BadResponse(_))));
    }
}
