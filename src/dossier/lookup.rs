//! One lookup against the central system, reduced to what the citizen is told.

use std::time::Duration;

use super::code::{CodeError, DossierCode};
use crate::server::model::Dossier;
use crate::server::{CentralClient, ErrorKind, ServerError};

/// Each outcome has its own screen. `NotFound` covers "no such code" and "not for you to see"
/// alike, so a screen never tells whether a code exists when the server does not say so.
#[derive(Debug, Clone)]
pub enum Outcome {
    Found(Box<Dossier>),
    Invalid(CodeError),
    NotFound,
    Offline,
    Busy,
    RateLimited {
        retry_after: Option<Duration>,
    },
    /// The kiosk itself is not allowed (token refused): staff must fix it.
    NotAuthorized,
}

impl Outcome {
    /// For logs: the outcome only, never the code or the result.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Found(_) => "lookup ok",
            Outcome::Invalid(_) => "lookup refused: malformed code",
            Outcome::NotFound => "lookup: not found",
            Outcome::Offline => "lookup failed: server unreachable",
            Outcome::Busy => "lookup failed: server error",
            Outcome::RateLimited { .. } => "lookup refused: rate limited",
            Outcome::NotAuthorized => "lookup failed: kiosk not authorised",
        }
    }
}

/// Asks the central system about `code`.
pub fn lookup(client: &CentralClient, code: &DossierCode) -> Outcome {
    match client.dossier(code.as_str()) {
        Ok(dossier) => Outcome::Found(Box::new(dossier)),
        Err(e) => from_error(&e),
    }
}

fn from_error(e: &ServerError) -> Outcome {
    match e.kind() {
        ErrorKind::NotFound => Outcome::NotFound,
        // The server refusing the code itself reads, to the citizen, as "check the code".
        ErrorKind::Rejected => Outcome::NotFound,
        ErrorKind::Offline => Outcome::Offline,
        ErrorKind::Busy => Outcome::Busy,
        ErrorKind::NotAuthorized => Outcome::NotAuthorized,
        ErrorKind::RateLimited => Outcome::RateLimited {
            retry_after: match e {
                ServerError::RateLimited { retry_after } => *retry_after,
                _ => None,
            },
        },
    }
}
