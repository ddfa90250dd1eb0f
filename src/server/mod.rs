//! The kiosk's side of the central API (docs/central-api.md): typed calls over blocking HTTP on
//! worker threads, errors the UI can phrase for a citizen.

mod client;
pub mod conformance;
mod demo;
mod error;
pub mod events;
mod ids;
pub mod link;
pub mod model;
pub mod phone;

pub use client::{
    CentralClient, ClientSettings, DEFAULT_MAX_BODY, DEFAULT_MAX_CATALOG_BODY, EVENT_SILENCE,
};
pub use demo::DemoServer;
pub use error::{ErrorKind, ServerError};
pub use ids::new_request_id;
