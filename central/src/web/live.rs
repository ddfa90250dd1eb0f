//! Live updates of the public pages over Server-Sent Events, fed by the office's events (the
//! same bus as `GET /api/v1/queue/events`). A public page gets only its own picture (the board
//! of services, or one ticket), read again after the office's events and sent when it changed:
//! no ticket ids, no other tickets.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::Value;
use tokio::sync::broadcast::{self, error::TryRecvError};

use crate::events::Event;
use crate::problem::ApiError;
use crate::routes::AppState;

/// Reads a page's picture now.
pub type Read =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Value, ApiError>> + Send>> + Send + Sync>;

struct Watch {
    office: String,
    read: Read,
    live: broadcast::Receiver<Arc<Event>>,
    sent: Option<String>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

/// Waits for the next event of the office, then takes every other one already there: a burst
/// (a call and its board) costs one read.
async fn next_change(w: &mut Watch) -> bool {
    loop {
        tokio::select! {
            _ = w.stopping.changed() => return false,
            got = w.live.recv() => match got {
                Ok(e) if e.office == w.office => break,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => break,
                Err(broadcast::error::RecvError::Closed) => return false,
            },
        }
    }
    loop {
        match w.live.try_recv() {
            Ok(_) | Err(TryRecvError::Lagged(_)) => {}
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Closed) => return false,
        }
    }
}

/// The stream of `update` events carrying `read()`'s JSON: first at once, then after each
/// change of the office that changes it. A failed read is skipped (the next change retries).
pub fn watch(
    state: &AppState,
    office: String,
    read: Read,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<>> {
    let w = Watch {
        office,
        read,
        live: state.store.events().subscribe(),
        sent: None,
        stopping: state.stopping.clone(),
    };
    let stream = futures_util::stream::unfold(w, |mut w| async move {
        loop {
            if *w.stopping.borrow() {
                return None;
            }
            if w.sent.is_some() && !next_change(&mut w).await {
                return None;
            }
            let Ok(picture) = (w.read)().await else {
                w.sent.get_or_insert_with(String::new);
                continue;
            };
            let text = picture.to_string();
            if w.sent.as_deref() != Some(text.as_str()) {
                w.sent = Some(text.clone());
                return Some((Ok(SseEvent::default().event("update").data(text)), w));
            }
        }
    });
    Sse::new(stream).keep_alive(
        KeepAlive::new()
            .interval(std::time::Duration::from_secs(15))
            .text("heartbeat"),
    )
}
