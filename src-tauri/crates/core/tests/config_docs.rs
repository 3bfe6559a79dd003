#![allow(clippy::unwrap_used)]
use ampwise_core::config::*;

fn show(label: &str, text: &str) {
    match parse_config(text) {
        Ok(_) => println!("== {label}: OK"),
        Err(e) => println!("== {label}: ERR {e}"),
    }
}

const METER: &str = r#"schema_version = 1
[[devices]]
id = "m"
name = "M"
enabled = true
[devices.driver]
kind = "modbus_meter"
model = "MODEL"
unit_id = 1
[devices.driver.transport]
type = "tcp"
host = "HOST"
port = 502
"#;

#[test]
fn scratch() {
    show("sdm72", &METER.replace("MODEL", "eastron_sdm72dm_v2").replace("HOST", "h"));
    show("ipv6", &METER.replace("MODEL", "eastron_sdm630").replace("HOST", "::1"));
    show("ipv6b", &METER.replace("MODEL", "eastron_sdm630").replace("HOST", "[::1]"));
    show("typo", &METER.replace("MODEL", "eastron_sdm630").replace("HOST", "h").replace("unit_id", "unitid"));
    show("badmodel", &METER.replace("MODEL", "sdm630").replace("HOST", "h"));
    show("meter charging", &format!("{}\n[devices.charging]\nmin_current_a = 6\nmax_current_a = 16\nphases = 2\npriority = 5\n", METER.replace("MODEL", "eastron_sdm630").replace("HOST", "h")));
    show("inf", "schema_version = 1\n[charging_manager]\nmode = \"active\"\nmax_current_per_phase_a = { l1 = inf, l2 = 32, l3 = 32 }\ncurrent_reserve_a = 0\ncontrol_interval_ms = 1000\n");
    show("reserve", "schema_version = 1\n[charging_manager]\nmode = \"active\"\nmax_current_per_phase_a = { l1 = 10, l2 = 32, l3 = 32 }\ncurrent_reserve_a = 10\ncontrol_interval_ms = 99\ngrid_meter = \"x\"\n");
    show("self parent", "schema_version = 1\n[[groups]]\nid = \"a\"\nname = \"A\"\nparent = \"a\"\nmax_current_per_phase_a = { l1 = 10, l2 = 32, l3 = 32 }\n");
}
