//! The SMS layer against real gateways: Kannel (bearerbox, smsbox, fakesmsc) and Kannel's
//! drive_smpp, started by the tests on free 127.0.0.1 ports (`apt-get install kannel
//! kannel-extras`); an HTTP provider stand-in; the `sms-test` command.

mod support;

mod cli;
mod http;
mod kannel;
mod outbox;
mod smpp;
