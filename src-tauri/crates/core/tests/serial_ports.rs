//! The real serial port enumeration of this machine.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use ampwise_core::serial::{list_serial_ports, sort_ports, SerialPortKind};

#[test]
fn enumerating_the_real_ports_works() {
    let ports = list_serial_ports().unwrap();
    for port in &ports {
        println!("{} [{:?}] {}", port.name, port.kind, port.label);
        assert!(!port.name.is_empty());
        assert!(!port.label.is_empty());
        assert_eq!(
            port.usb.is_some(),
            port.kind == SerialPortKind::Usb,
            "{port:?}"
        );
    }
    let names: HashSet<&str> = ports.iter().map(|port| port.name.as_str()).collect();
    assert_eq!(names.len(), ports.len(), "every port is listed once");

    let mut sorted = ports.clone();
    sort_ports(&mut sorted);
    assert_eq!(sorted, ports, "ports come sorted by name");
}
