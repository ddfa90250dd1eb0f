//! The central API suite of `tests/api`, run against a real PostgreSQL (a throwaway cluster the
//! tests start, or the one `MOTCUA_TEST_POSTGRES` names; see `tests/api/pg.rs`).

#[path = "api/pg.rs"]
mod pg;
#[path = "api/support.rs"]
mod support;

const BACKEND: support::Backend = support::Backend::Postgres;

#[path = "api/catalog.rs"]
mod catalog;
#[path = "api/contract.rs"]
mod contract;
#[path = "api/dossiers.rs"]
mod dossiers;
#[path = "api/errors.rs"]
mod errors;
#[path = "api/feedback.rs"]
mod feedback;
#[path = "api/fleet.rs"]
mod fleet;
#[path = "api/lifecycle.rs"]
mod lifecycle;
#[path = "api/queue.rs"]
mod queue;
#[path = "api/void.rs"]
mod void;

#[path = "api/offices.rs"]
mod offices;

#[path = "api/instances.rs"]
mod instances;

#[path = "api/transactions.rs"]
mod transactions;

#[path = "api/operations.rs"]
mod operations;

#[path = "api/calling.rs"]
mod calling;

#[path = "api/sms.rs"]
mod sms;

#[path = "api/ticket_procedure.rs"]
mod ticket_procedure;
