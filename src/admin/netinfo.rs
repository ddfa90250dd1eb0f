//! The kiosk's own network addresses, for the admin screen: what a technician needs to reach it.

/// Every address but loopback, as `interface address`; IPv4 first.
pub fn addresses() -> Vec<String> {
    let Ok(interfaces) = if_addrs::get_if_addrs() else {
        return Vec::new();
    };
    let mut found: Vec<(bool, String)> = interfaces
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| (!i.ip().is_ipv4(), format!("{} {}", i.name, i.ip())))
        .collect();
    found.sort();
    found.dedup();
    found.into_iter().map(|(_, text)| text).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn never_lists_loopback() {
        for line in super::addresses() {
            assert!(
                !line.ends_with(" 127.0.0.1") && !line.ends_with(" ::1"),
                "{line}"
            );
        }
    }
}
