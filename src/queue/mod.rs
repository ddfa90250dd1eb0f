//! Queue tickets: a number from the central system or, when it cannot answer, from this kiosk's
//! own series; every ticket committed to SQLite before it is printed; offline tickets kept in an
//! outbox until the central system has recorded them with the number the citizen holds; a
//! number nobody holds (a ticket the printer refused, an answer lost) given back. The
//! [`Desk`] runs all of it on its own threads for the screen.

mod desk;
mod issue;
mod offer;
mod outbox;
pub use crate::server::phone;
mod printing;
mod store;

pub use desk::{Desk, DeskReport, DeskSettings, DeskStopped};
pub use issue::{
    IssueOutcome, IssueSettings, Refusal, TicketOrder, TicketPrinter, issue, sample_ticket,
    test_ticket,
};
pub use offer::{Offer, Selection, priority_label};
pub use outbox::{FlushReport, flush};
pub use store::{OutboxItem, PendingVoid, PrintStatus, QueueStore, StoreError, StoredTicket};
