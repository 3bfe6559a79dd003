//! The names and addresses charge points may use to reach this machine.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(crate) struct MachineNames {
    /// The host name, when the OS reports a usable one.
    pub host_name: Option<String>,
    /// Loopback first, then every non-loopback interface address, without duplicates.
    pub addresses: Vec<IpAddr>,
}

pub(crate) fn machine_names() -> MachineNames {
    let host_name = hostname::get()
        .ok()
        .map(|name| name.to_string_lossy().trim().to_owned())
        .filter(|name| !name.is_empty());
    let mut addresses = vec![
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    match if_addrs::get_if_addrs() {
        Ok(interfaces) => {
            for interface in interfaces.iter().filter(|i| !i.is_loopback()) {
                let ip = interface.ip();
                if !addresses.contains(&ip) {
                    addresses.push(ip);
                }
            }
        }
        // The certificate still serves localhost and the host name.
        Err(error) => tracing::warn!("could not list the network addresses: {error}"),
    }
    MachineNames {
        host_name,
        addresses,
    }
}

/// A name that can go into a subjectAltName dNSName: letters, digits, hyphens, dots (RFC 1123).
pub(crate) fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_checked_before_they_become_dns_names() {
        assert!(is_dns_name("ampwise-box"));
        assert!(is_dns_name("box.fritz.box"));
        assert!(!is_dns_name("Büro-PC"));
        assert!(!is_dns_name("-box"));
        assert!(!is_dns_name("a..b"));
    }

    #[test]
    fn the_machine_has_at_least_its_loopback_addresses() {
        let names = machine_names();
        assert!(names.addresses.contains(&IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(names.addresses.contains(&IpAddr::V6(Ipv6Addr::LOCALHOST)));
    }
}
