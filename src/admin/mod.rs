//! What the admin screen needs that is not Slint: the wrong-PIN lock, the recent problems from
//! the log, the kiosk's addresses.

pub mod gate;
pub mod netinfo;
pub mod recent;
