//! Every ticket this kiosk issued, in SQLite, committed (synchronous=FULL) before it is printed:
//! the local offline series per service per office day, print results, and the outbox of
//! offline tickets the central system has not yet recorded.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::server::model::{FeedbackRequest, Priority, Ticket, VoidReason};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("ticket database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the folder for the ticket database: {0}")]
    Folder(std::io::Error),
    #[error("the offline series of {service} is used up for {day} (999 tickets)")]
    SeriesFull { service: String, day: NaiveDate },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintStatus {
    /// Committed, not yet confirmed on paper (a crash here leaves it for staff to check).
    Pending,
    Printed,
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredTicket {
    pub request_id: String,
    pub number: String,
    pub service_id: String,
    pub priority: Priority,
    /// RFC 3339, office time.
    pub issued_at: String,
    pub office_day: NaiveDate,
    pub offline: bool,
    pub people_ahead: Option<u32>,
    pub estimated_wait_min: Option<u32>,
    pub print: PrintStatus,
}

/// An offline ticket waiting for the central system to record it.
#[derive(Clone, PartialEq)]
pub struct OutboxItem {
    pub request_id: String,
    pub number: String,
    pub service_id: String,
    pub priority: Priority,
    pub phone: Option<String>,
    pub issued_at: String,
    /// The procedure the number was taken for, when it came from a procedure's page.
    pub procedure_code: Option<String>,
}

// The phone number is the citizen's: never in a log line.
impl std::fmt::Debug for OutboxItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxItem")
            .field("request_id", &self.request_id)
            .field("number", &self.number)
            .field("service_id", &self.service_id)
            .finish_non_exhaustive()
    }
}

/// A number to give back to the central system: a ticket the printer refused, or a request
/// whose answer never came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingVoid {
    /// The void's own request id.
    pub request_id: String,
    /// The request the ticket was (or may have been) issued with.
    pub ticket_request_id: String,
    pub reason: VoidReason,
}

/// What an offline ticket needs before it gets its number.
pub struct OfflineDraft<'a> {
    pub request_id: &'a str,
    pub service_id: &'a str,
    pub prefix: &'a str,
    pub priority: Priority,
    pub phone: Option<&'a str>,
    pub procedure_code: Option<&'a str>,
    pub issued_at: DateTime<FixedOffset>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS offline_series (
    office_day TEXT NOT NULL,
    service_id TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (office_day, service_id)
);
CREATE TABLE IF NOT EXISTS tickets (
    request_id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    service_id TEXT NOT NULL,
    priority TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    office_day TEXT NOT NULL,
    offline INTEGER NOT NULL,
    people_ahead INTEGER,
    estimated_wait_min INTEGER,
    print TEXT NOT NULL DEFAULT 'pending',
    -- Offline tickets: 'waiting' until the central system records them, then 'sent' (or
    -- 'refused' when it never will); online tickets: 'sent'.
    sync TEXT NOT NULL,
    -- Only while an offline ticket waits to be sent, for the SMS notice; cleared once sent.
    phone TEXT,
    -- The procedure an offline ticket was taken for (from its page), sent with it.
    procedure_code TEXT,
    UNIQUE (office_day, number)
);
CREATE INDEX IF NOT EXISTS tickets_outbox ON tickets (sync) WHERE sync = 'waiting';
-- Numbers given back to the central system: a ticket the printer refused after its number was
-- taken, or a request whose answer never came ('waiting' → 'sent' / 'refused'), each with the
-- void's own request id.
CREATE TABLE IF NOT EXISTS voids (
    request_id TEXT PRIMARY KEY,
    ticket_request_id TEXT NOT NULL UNIQUE,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sync TEXT NOT NULL DEFAULT 'waiting'
);
-- Satisfaction ratings, kept until the central system has them ('waiting' → 'sent'/'refused').
CREATE TABLE IF NOT EXISTS ratings (
    request_id TEXT PRIMARY KEY,
    rating INTEGER NOT NULL,
    service_id TEXT,
    ticket TEXT,
    reason TEXT,
    at TEXT NOT NULL,
    sync TEXT NOT NULL DEFAULT 'waiting'
);
";

/// A ticket database from before tickets carried a procedure gets the column (the kiosk's
/// tickets outlive an upgrade: offline ones may still wait in the outbox).
fn add_procedure_column(conn: &Connection) -> Result<(), StoreError> {
    let has_it: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('tickets') WHERE name = 'procedure_code'",
        [],
        |r| r.get(0),
    )?;
    if !has_it {
        conn.execute_batch("ALTER TABLE tickets ADD COLUMN procedure_code TEXT")?;
    }
    Ok(())
}

pub struct QueueStore {
    conn: Connection,
}

impl QueueStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(StoreError::Folder)?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL + FULL: a committed ticket survives a power cut, and readers never block the issuer.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        add_procedure_column(&conn)?;
        Ok(Self { conn })
    }

    /// A ticket the central system issued: recorded before it is printed.
    pub fn record_online(
        &self,
        ticket: &Ticket,
        office_day: NaiveDate,
    ) -> Result<StoredTicket, StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO tickets (request_id, number, service_id, priority, issued_at,
                 office_day, offline, people_ahead, estimated_wait_min, sync)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, 'sent')",
            params![
                ticket.request_id,
                ticket.number,
                ticket.service_id,
                ticket.priority.as_str(),
                ticket.issued_at,
                office_day.to_string(),
                ticket.people_ahead,
                ticket.estimated_wait_min,
            ],
        )?;
        self.get(&ticket.request_id)?
            .ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Takes the next number of this kiosk's own series (`K01-HT-007`) and records the ticket,
    /// in one transaction: a number is never given twice, even across a crash.
    pub fn issue_offline(
        &mut self,
        draft: &OfflineDraft<'_>,
        kiosk_tag: &str,
    ) -> Result<StoredTicket, StoreError> {
        let day = draft.issued_at.date_naive();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: u32 = tx
            .query_row(
                "SELECT last FROM offline_series WHERE office_day = ?1 AND service_id = ?2",
                params![day.to_string(), draft.service_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let next = last + 1;
        if next > 999 {
            return Err(StoreError::SeriesFull {
                service: draft.service_id.to_string(),
                day,
            });
        }
        tx.execute(
            "INSERT INTO offline_series (office_day, service_id, last) VALUES (?1, ?2, ?3)
             ON CONFLICT (office_day, service_id) DO UPDATE SET last = excluded.last",
            params![day.to_string(), draft.service_id, next],
        )?;
        let number = format!("{kiosk_tag}-{}-{next:03}", draft.prefix);
        tx.execute(
            "INSERT INTO tickets (request_id, number, service_id, priority, issued_at, office_day,
                 offline, sync, phone, procedure_code)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 'waiting', ?7, ?8)",
            params![
                draft.request_id,
                number,
                draft.service_id,
                draft.priority.as_str(),
                draft.issued_at.to_rfc3339(),
                day.to_string(),
                draft.phone,
                draft.procedure_code,
            ],
        )?;
        tx.commit()?;
        self.get(draft.request_id)?
            .ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Offline tickets of `service_id` on `day`, for the daily cap while offline.
    pub fn offline_count(&self, service_id: &str, day: NaiveDate) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT last FROM offline_series WHERE office_day = ?1 AND service_id = ?2",
                params![day.to_string(), service_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    pub fn set_print(&self, request_id: &str, status: PrintStatus) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE tickets SET print = ?2 WHERE request_id = ?1",
            params![request_id, print_code(status)],
        )?;
        Ok(())
    }

    /// After a restart: tickets whose printing was cut off are marked failed, so staff can see
    /// which numbers may not be on paper. Returns how many.
    pub fn recover(&self) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE tickets SET print = 'failed' WHERE print = 'pending'",
            [],
        )?)
    }

    /// Offline tickets not yet recorded by the central system, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT request_id, number, service_id, priority, phone, issued_at, procedure_code
             FROM tickets WHERE sync = 'waiting' ORDER BY issued_at, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OutboxItem {
                request_id: r.get(0)?,
                number: r.get(1)?,
                service_id: r.get(2)?,
                priority: priority_from(&r.get::<_, String>(3)?),
                phone: r.get(4)?,
                issued_at: r.get(5)?,
                procedure_code: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Tickets, voids and ratings still waiting for the central system.
    pub fn outbox_len(&self) -> Result<u32, StoreError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM tickets WHERE sync = 'waiting')
                  + (SELECT COUNT(*) FROM voids WHERE sync = 'waiting')
                  + (SELECT COUNT(*) FROM ratings WHERE sync = 'waiting')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Gives back the number of a ticket that did not come out, in one transaction: an offline
    /// ticket not yet sent is never sent (its phone forgotten), and a void waits in the outbox
    /// (also for an offline ticket, which may be on its way to the server this very moment).
    /// Once per ticket: a second call returns the first void.
    pub fn void_ticket(
        &mut self,
        ticket_request_id: &str,
        reason: VoidReason,
        now: DateTime<FixedOffset>,
    ) -> Result<PendingVoid, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE tickets SET sync = 'voided', phone = NULL
             WHERE request_id = ?1 AND sync = 'waiting'",
            params![ticket_request_id],
        )?;
        let void = queue_void(&tx, ticket_request_id, reason, now)?;
        tx.commit()?;
        Ok(void)
    }

    /// Gives back whatever number a request whose answer never came may have taken.
    pub fn void_request(
        &self,
        ticket_request_id: &str,
        reason: VoidReason,
        now: DateTime<FixedOffset>,
    ) -> Result<PendingVoid, StoreError> {
        queue_void(&self.conn, ticket_request_id, reason, now)
    }

    /// Voids not yet sent, oldest first.
    pub fn voids_waiting(&self) -> Result<Vec<PendingVoid>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT request_id, ticket_request_id, reason FROM voids
             WHERE sync = 'waiting' ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PendingVoid {
                request_id: r.get(0)?,
                ticket_request_id: r.get(1)?,
                reason: VoidReason::from_word(&r.get::<_, String>(2)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `sent`, or `refused` (never to be retried: the ticket was called already).
    pub fn mark_void(&self, request_id: &str, sent: bool) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE voids SET sync = ?2 WHERE request_id = ?1",
            params![request_id, if sent { "sent" } else { "refused" }],
        )?;
        Ok(())
    }

    /// A citizen's rating, kept until it is sent.
    pub fn record_rating(&self, rating: &FeedbackRequest) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO ratings (request_id, rating, service_id, ticket, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                rating.request_id,
                rating.rating,
                rating.service_id,
                rating.ticket,
                rating.reason,
                rating.at,
            ],
        )?;
        Ok(())
    }

    /// Ratings not yet sent, oldest first.
    pub fn ratings_waiting(&self) -> Result<Vec<FeedbackRequest>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT request_id, rating, service_id, ticket, reason, at FROM ratings
             WHERE sync = 'waiting' ORDER BY at, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FeedbackRequest {
                request_id: r.get(0)?,
                rating: r.get(1)?,
                service_id: r.get(2)?,
                ticket: r.get(3)?,
                reason: r.get(4)?,
                at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `sent` or `refused` (never to be retried).
    pub fn mark_rating(&self, request_id: &str, sent: bool) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE ratings SET sync = ?2 WHERE request_id = ?1",
            params![request_id, if sent { "sent" } else { "refused" }],
        )?;
        Ok(())
    }

    /// The central system recorded it: it leaves the outbox and the phone number is forgotten.
    /// A ticket voided meanwhile stays voided (its void follows it).
    pub fn mark_sent(&self, request_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE tickets SET sync = 'sent', phone = NULL
             WHERE request_id = ?1 AND sync = 'waiting'",
            params![request_id],
        )?;
        Ok(())
    }

    /// The central system will never take it (e.g. a service it no longer knows).
    pub fn mark_refused(&self, request_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE tickets SET sync = 'refused', phone = NULL
             WHERE request_id = ?1 AND sync = 'waiting'",
            params![request_id],
        )?;
        Ok(())
    }

    pub fn get(&self, request_id: &str) -> Result<Option<StoredTicket>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{SELECT_TICKET} WHERE request_id = ?1"),
                params![request_id],
                row_to_ticket,
            )
            .optional()?)
    }

    /// Every ticket of `day`, in the order issued.
    pub fn tickets_of(&self, day: NaiveDate) -> Result<Vec<StoredTicket>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{SELECT_TICKET} WHERE office_day = ?1 ORDER BY rowid"
        ))?;
        let rows = stmt.query_map(params![day.to_string()], row_to_ticket)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Records a void for `ticket_request_id` with a fresh request id of its own, or returns the
/// one recorded before.
fn queue_void(
    conn: &Connection,
    ticket_request_id: &str,
    reason: VoidReason,
    now: DateTime<FixedOffset>,
) -> Result<PendingVoid, StoreError> {
    conn.execute(
        "INSERT INTO voids (request_id, ticket_request_id, reason, created_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (ticket_request_id) DO NOTHING",
        params![
            crate::server::new_request_id(),
            ticket_request_id,
            reason.as_str(),
            now.to_rfc3339()
        ],
    )?;
    Ok(conn.query_row(
        "SELECT request_id, ticket_request_id, reason FROM voids WHERE ticket_request_id = ?1",
        params![ticket_request_id],
        |r| {
            Ok(PendingVoid {
                request_id: r.get(0)?,
                ticket_request_id: r.get(1)?,
                reason: VoidReason::from_word(&r.get::<_, String>(2)?),
            })
        },
    )?)
}

const SELECT_TICKET: &str = "SELECT request_id, number, service_id, priority, issued_at,
    office_day, offline, people_ahead, estimated_wait_min, print FROM tickets";

fn row_to_ticket(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredTicket> {
    let day: String = r.get(5)?;
    Ok(StoredTicket {
        request_id: r.get(0)?,
        number: r.get(1)?,
        service_id: r.get(2)?,
        priority: priority_from(&r.get::<_, String>(3)?),
        issued_at: r.get(4)?,
        office_day: day.parse().unwrap_or_default(),
        offline: r.get(6)?,
        people_ahead: r.get(7)?,
        estimated_wait_min: r.get(8)?,
        print: match r.get::<_, String>(9)?.as_str() {
            "printed" => PrintStatus::Printed,
            "failed" => PrintStatus::Failed,
            _ => PrintStatus::Pending,
        },
    })
}

/// A priority as stored; a word this kiosk does not know (written by a newer one) reads as none.
fn priority_from(word: &str) -> Priority {
    word.parse().unwrap_or_else(|e| {
        tracing::warn!("ticket database: {e}; read as none");
        Priority::None
    })
}

fn print_code(s: PrintStatus) -> &'static str {
    match s {
        PrintStatus::Pending => "pending",
        PrintStatus::Printed => "printed",
        PrintStatus::Failed => "failed",
    }
}
