//! Central API v1 over real HTTP: each test starts its own server via `spawn()` on
//! 127.0.0.1:0 with a temporary database and a hand-moved clock.

mod support;

mod catalog;
mod contract;
mod dossiers;
mod errors;
mod feedback;
mod fleet;
mod lifecycle;
mod queue;
