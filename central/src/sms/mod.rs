//! SMS below the outbox: message text, the `[sms]` configuration, and the gateways that hand
//! a message to an operator (SMPP), to Kannel, or to a brandname provider's HTTP API.
//!
//! Module map (one job each):
//! - [`text`]: templates, folding to ASCII, GSM-7 / UCS-2, segments and the cap.
//! - [`phone`]: Vietnamese mobile numbers, international and masked forms.
//! - [`config`]: the `[sms]` section, its defaults and checks; [`quiet`]: quiet hours.
//! - `gateway`: [`OutgoingSms`], [`SendError`], [`DeliveryReport`] and [`Gateway`], which
//!   dispatches to `smpp`, `kannel` (with the [`kannel_dlr`] handler), `http` or `none`;
//!   `receipt` reads SMPP delivery receipts.
//! - `cli`: `motcua-central sms-test`.
//!
//! The outbox (storage, retries, idempotency, retention) sits above and calls
//! [`Gateway::send`] once per attempt; reports come back on the [`DlrSender`] it passes to
//! [`Gateway::start`].

mod cli;
pub mod config;
mod gateway;
mod http;
mod kannel;
mod none;
pub mod phone;
pub mod quiet;
mod receipt;
mod smpp;
pub mod text;

pub use cli::sms_test_main;
pub use config::{
    ConfigProblem, GatewayKind, GatewaySettings, Secret, SmsConfig, SmsSettings, Templates,
};
pub use gateway::{
    Accepted, DeliveryReport, DlrSender, DlrState, Gateway, GatewayError, OutgoingSms, SendError,
};
pub use kannel::{KANNEL_DLR_ROUTE, KannelDlr, kannel_dlr};
pub use phone::Mobile;
pub use text::{Encoding, Prepared, Template, TextError, Values};
