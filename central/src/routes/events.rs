//! `GET /queue/events`: the office's live events as Server-Sent Events. A fresh connection starts
//! with the board (`waiting`); a reconnection with `Last-Event-ID` first gets what it missed
//! (up to [`crate::events::REPLAY_LIMIT`]); a heartbeat comment goes every 15 s; the stream ends
//! when the server stops.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::json;
use tokio::sync::broadcast;

use super::AppState;
use crate::auth::Viewer;
use crate::clock::format_time;
use crate::events::{self, Event};
use crate::problem::ApiError;

/// How often the heartbeat comment goes, so proxies and clients see the stream alive.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

fn sse(event: &Event) -> SseEvent {
    let mut data = event.data.clone();
    data["at"] = json!(format_time(event.at));
    SseEvent::default()
        .id(event.id.to_string())
        .event(event.kind.clone())
        .data(data.to_string())
}

struct Feed {
    office: String,
    /// Replayed or initial events to send before the live ones.
    queued: VecDeque<SseEvent>,
    live: broadcast::Receiver<Arc<Event>>,
    /// The newest id sent, so a live event already replayed is not sent twice.
    last: i64,
    stopping: tokio::sync::watch::Receiver<bool>,
}

pub async fn stream(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    // Subscribe before reading what was missed: nothing falls between the two.
    let live = state.store.events().subscribe();
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let office = viewer.office.clone();
    let now = state.clock.now();
    let (missed, board) = state
        .store
        .read(move |sql| {
            let missed = match last_seen {
                Some(after) => events::since(sql, &office, after)?,
                None => Vec::new(),
            };
            let board = crate::queue::board(sql, &office, now.date_naive())?;
            Ok((missed, board))
        })
        .await?;
    let mut queued: VecDeque<SseEvent> = missed.iter().map(sse).collect();
    let last = missed.last().map_or(last_seen.unwrap_or(0), |e| e.id);
    // The board as it is now, without an id (it is a picture, not a change).
    queued.push_back(
        SseEvent::default()
            .event("waiting")
            .data(json!({ "services": board, "at": format_time(now) }).to_string()),
    );
    let feed = Feed {
        office: viewer.office,
        queued,
        live,
        last,
        stopping: state.stopping.clone(),
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        if let Some(next) = feed.queued.pop_front() {
            return Some((Ok(next), feed));
        }
        loop {
            if *feed.stopping.borrow() {
                return None;
            }
            tokio::select! {
                _ = feed.stopping.changed() => return None,
                received = feed.live.recv() => match received {
                    Ok(event) if event.office == feed.office && event.id > feed.last => {
                        feed.last = event.id;
                        return Some((Ok(sse(&event)), feed));
                    }
                    Ok(_) => {}
                    // Too slow: say so; the client reloads the board and calls.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Ok(SseEvent::default().event("reload").data("{}")), feed));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")))
}
