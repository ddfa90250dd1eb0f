//! Bringing the catalog up to date from the central server: `If-None-Match` with the ETag
//! held, `?since=` with the version held (only once the catalog came from the server; the
//! seed's version 0 means "send me everything").

use super::{Catalog, CatalogError, ImportReport};
use crate::server::model::CatalogDownload;
use crate::server::{CentralClient, ServerError};

#[derive(Debug, Clone, PartialEq)]
pub enum SyncOutcome {
    /// `304`: the catalog held is current.
    Unchanged,
    Updated(ImportReport),
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("catalog sync: {0}")]
    Server(#[from] ServerError),
    #[error("catalog sync: {0}")]
    Catalog(CatalogError),
    /// The server answered, but with a catalog the kiosk refuses; the old one is kept.
    #[error("catalog sync: the server sent an unusable catalog: {0}")]
    Malformed(String),
}

impl From<CatalogError> for SyncError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Invalid(why) => SyncError::Malformed(why),
            other => SyncError::Catalog(other),
        }
    }
}

/// One sync. On any error the catalog is left as it was, and the error is logged here too.
pub fn sync(catalog: &mut Catalog, client: &CentralClient) -> Result<SyncOutcome, SyncError> {
    let result = sync_once(catalog, client);
    match &result {
        Ok(SyncOutcome::Unchanged) => tracing::debug!("catalog unchanged on the server"),
        Ok(SyncOutcome::Updated(r)) => tracing::info!(
            version = r.version,
            procedures = r.procedures,
            changed = r.changed,
            removed = r.removed,
            "catalog updated from the server"
        ),
        Err(e) => tracing::warn!("{e}; keeping the catalog held"),
    }
    result
}

fn sync_once(catalog: &mut Catalog, client: &CentralClient) -> Result<SyncOutcome, SyncError> {
    let held = catalog.meta()?;
    let from_server = held.source == "server";
    let etag = held.etag.as_deref().filter(|_| from_server);
    let since = from_server.then_some(held.version);
    match client.catalog_download(etag, since)? {
        CatalogDownload::NotModified => {
            catalog.mark_synced()?;
            Ok(SyncOutcome::Unchanged)
        }
        CatalogDownload::Body { etag, body } => Ok(SyncOutcome::Updated(
            catalog.apply_answer(&body, etag.as_deref())?,
        )),
    }
}
