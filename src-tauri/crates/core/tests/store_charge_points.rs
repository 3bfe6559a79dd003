//! Accepted charge points stay accepted across restarts of Ampwise.
#![allow(clippy::unwrap_used)]

use ampwise_core::store::{BootInfo, ChargePointRecord, Store};

fn boot(firmware: &str) -> BootInfo {
    BootInfo {
        vendor: "ABL".to_owned(),
        model: "eMH3".to_owned(),
        serial_number: Some("2W2253804123".to_owned()),
        firmware_version: Some(firmware.to_owned()),
        meter_type: Some("EEM-350-D-MCB".to_owned()),
        ..BootInfo::default()
    }
}

#[test]
fn an_accepted_charge_point_stays_accepted_after_a_reopen() {
    let directory = tempfile::tempdir().unwrap();
    {
        let store = Store::open_in_data_dir(directory.path()).unwrap();
        assert!(!store.was_accepted("CP001").unwrap());
        assert_eq!(store.charge_point("CP001").unwrap(), None);
        store
            .record_boot("CP001", boot("1.7.2"), "2024-05-01T08:00:00Z")
            .unwrap();
        assert!(store.was_accepted("CP001").unwrap());
    }
    let store = Store::open_in_data_dir(directory.path()).unwrap();
    assert!(store.was_accepted("CP001").unwrap());
    assert!(
        !store.was_accepted("cp001").unwrap(),
        "identities are exact"
    );
    assert!(!store.was_accepted("CP002").unwrap());
    assert_eq!(
        store.charge_point("CP001").unwrap(),
        Some(ChargePointRecord {
            charge_box_id: "CP001".to_owned(),
            boot: boot("1.7.2"),
            first_accepted_at: "2024-05-01T08:00:00Z".to_owned(),
            last_accepted_at: "2024-05-01T08:00:00Z".to_owned(),
        })
    );
}

#[test]
fn a_new_boot_replaces_the_boot_data_and_keeps_the_first_acceptance() {
    let store = Store::open_in_memory().unwrap();
    store
        .record_boot("CP001", boot("1.7.2"), "2024-05-01T08:00:00Z")
        .unwrap();
    let updated = BootInfo {
        meter_type: None,
        ..boot("1.8.0")
    };
    store
        .record_boot("CP001", updated.clone(), "2024-06-01T08:00:00Z")
        .unwrap();
    let record = store.charge_point("CP001").unwrap().unwrap();
    assert_eq!(record.boot, updated);
    assert_eq!(record.first_accepted_at, "2024-05-01T08:00:00Z");
    assert_eq!(record.last_accepted_at, "2024-06-01T08:00:00Z");
}

#[test]
fn a_forgotten_charge_point_must_boot_again() {
    let store = Store::open_in_memory().unwrap();
    store
        .record_boot("CP001", boot("1.7.2"), "2024-05-01T08:00:00Z")
        .unwrap();
    assert!(store.forget_charge_point("CP001").unwrap());
    assert!(!store.forget_charge_point("CP001").unwrap());
    assert!(!store.was_accepted("CP001").unwrap());
}
