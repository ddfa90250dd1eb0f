//! What the admin screen needs that is not Slint: the wrong-PIN lock, the kiosk's addresses and
//! how long it has run. (The recent problems it shows are kept by [`crate::logging::recent`].)

pub mod gate;
pub mod netinfo;
