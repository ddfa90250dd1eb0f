//! The procedure search of the public pages: the kiosk's own search (`motcua-catalog`) over an
//! office's catalog, kept in memory and rebuilt when the catalog or the office's overrides
//! change, so a phone and the lobby screen find the same procedures for the same words.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use motcua_catalog::{IndexRecord, MemoryIndex, SearchHit};
use serde_json::Value;

use crate::problem::ApiError;
use crate::routes::AppState;
use crate::store::{Sql, params};

/// What identifies one state of an office's catalog: the catalog version and its overrides.
type Stamp = (String, i64, i64, i64);

struct Loaded {
    stamp: Stamp,
    index: MemoryIndex,
    procedures: HashMap<String, Arc<Value>>,
}

/// One office's catalog indexed for search; shared by every request.
#[derive(Default)]
pub struct CatalogSearch {
    loaded: Mutex<Option<Loaded>>,
}

impl std::fmt::Debug for CatalogSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogSearch").finish_non_exhaustive()
    }
}

fn stamp(sql: &mut dyn Sql, office: &str) -> Result<Stamp, ApiError> {
    let version = crate::catalog::current_version(sql)?;
    let o = sql.query_one(
        "SELECT COUNT(*), COALESCE(MAX(changed_in), 0) FROM procedure_overrides
         WHERE office_id = ?1",
        &params![office],
    )?;
    Ok((office.to_string(), version, o.int(0)?, o.int(1)?))
}

fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// What the index needs of a procedure as the catalog serves it.
pub fn record(p: &Value) -> Option<IndexRecord> {
    let text = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |k: &str, f: &dyn Fn(&Value) -> Vec<String>| -> Vec<String> {
        p.get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(f)
            .collect()
    };
    Some(IndexRecord {
        code: text(p, "code")?,
        name: text(p, "name")?,
        field: text(p, "field"),
        documents: list("documents", &|d| text(d, "name").into_iter().collect()),
        legal: list("legal_basis", &|l| {
            [text(l, "code"), text(l, "title")]
                .into_iter()
                .flatten()
                .collect()
        }),
    })
}

impl CatalogSearch {
    /// Brings the index up to date with the office's catalog when it changed.
    async fn refresh(&self, state: &AppState, office: &str) -> Result<(), ApiError> {
        let o = office.to_string();
        let now = state.store.read(move |sql| stamp(sql, &o)).await?;
        if self.lock().as_ref().is_some_and(|l| l.stamp == now) {
            return Ok(());
        }
        let o = office.to_string();
        let view = state
            .store
            .read(move |sql| crate::catalog::read_texts(sql, &o, None))
            .await?;
        // Stored procedures are JSON the import checked; one that does not parse is left out.
        let parsed: Vec<serde_json::Value> = view
            .procedures
            .iter()
            .filter_map(|text| serde_json::from_str(text).ok())
            .collect();
        let records: Vec<IndexRecord> = parsed.iter().filter_map(record).collect();
        let procedures = parsed
            .into_iter()
            .filter_map(|p| Some((p.get("code")?.as_str()?.to_string(), Arc::new(p))))
            .collect();
        let loaded = tokio::task::spawn_blocking(move || {
            let mut index = MemoryIndex::new()?;
            index.replace(&records)?;
            Ok::<_, rusqlite::Error>(Loaded {
                stamp: now,
                index,
                procedures,
            })
        })
        .await
        .map_err(|e| ApiError::Internal(format!("indexing: {e}")))?
        .map_err(|e| ApiError::Internal(format!("indexing: {e}")))?;
        *self.lock() = Some(loaded);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Loaded>> {
        // A panic while holding the lock leaves a whole index or none: still usable.
        self.loaded.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Best first, at most `limit`.
    pub async fn search(
        self: &Arc<Self>,
        state: &AppState,
        office: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>, ApiError> {
        self.refresh(state, office).await?;
        let (me, query) = (Arc::clone(self), query.to_string());
        tokio::task::spawn_blocking(move || {
            me.lock()
                .as_ref()
                .map_or(Ok(Vec::new()), |l| l.index.search(&query, None, limit))
        })
        .await
        .map_err(|e| ApiError::Internal(format!("search: {e}")))?
        .map_err(|e| ApiError::Internal(format!("search: {e}")))
    }

    /// One procedure as the office's catalog serves it (with the office's overrides).
    pub async fn procedure(
        &self,
        state: &AppState,
        office: &str,
        code: &str,
    ) -> Result<Option<Arc<Value>>, ApiError> {
        self.refresh(state, office).await?;
        Ok(self
            .lock()
            .as_ref()
            .and_then(|l| l.procedures.get(code).cloned()))
    }
}

/// For pages that list a procedure's text fields.
pub fn texts(p: &Value, key: &str) -> Vec<String> {
    strings(&p[key]).map(str::to_string).collect()
}
