//! Charge points that were accepted: after a reconnect a charge point sends no BootNotification
//! unless something changed, so its acceptance must outlive a restart of Ampwise.

use rusqlite::{named_params, OptionalExtension, Row};

use super::{Store, StoreError};

/// The BootNotification of a charge point.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootInfo {
    pub vendor: String,
    pub model: String,
    /// `chargePointSerialNumber`.
    pub serial_number: Option<String>,
    pub charge_box_serial_number: Option<String>,
    pub firmware_version: Option<String>,
    pub iccid: Option<String>,
    pub imsi: Option<String>,
    pub meter_type: Option<String>,
    pub meter_serial_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargePointRecord {
    pub charge_box_id: String,
    /// From the latest accepted BootNotification.
    pub boot: BootInfo,
    pub first_accepted_at: String,
    pub last_accepted_at: String,
}

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<ChargePointRecord> {
    Ok(ChargePointRecord {
        charge_box_id: row.get("charge_box_id")?,
        boot: BootInfo {
            vendor: row.get("vendor")?,
            model: row.get("model")?,
            serial_number: row.get("serial_number")?,
            charge_box_serial_number: row.get("charge_box_serial_number")?,
            firmware_version: row.get("firmware_version")?,
            iccid: row.get("iccid")?,
            imsi: row.get("imsi")?,
            meter_type: row.get("meter_type")?,
            meter_serial_number: row.get("meter_serial_number")?,
        },
        first_accepted_at: row.get("first_accepted_at")?,
        last_accepted_at: row.get("last_accepted_at")?,
    })
}

impl Store {
    /// Records a BootNotification that was answered `Accepted`, replacing the previous boot data.
    pub fn record_boot(
        &self,
        charge_box_id: impl AsRef<str>,
        boot: BootInfo,
        accepted_at: impl AsRef<str>,
    ) -> Result<(), StoreError> {
        self.with_connection(|connection, path| {
            connection
                .execute(
                    "INSERT INTO charge_points (charge_box_id, vendor, model, serial_number,
                         charge_box_serial_number, firmware_version, iccid, imsi, meter_type,
                         meter_serial_number, first_accepted_at, last_accepted_at)
                     VALUES (:charge_box_id, :vendor, :model, :serial_number,
                         :charge_box_serial_number, :firmware_version, :iccid, :imsi, :meter_type,
                         :meter_serial_number, :accepted_at, :accepted_at)
                     ON CONFLICT (charge_box_id) DO UPDATE SET
                         vendor = excluded.vendor, model = excluded.model,
                         serial_number = excluded.serial_number,
                         charge_box_serial_number = excluded.charge_box_serial_number,
                         firmware_version = excluded.firmware_version,
                         iccid = excluded.iccid, imsi = excluded.imsi,
                         meter_type = excluded.meter_type,
                         meter_serial_number = excluded.meter_serial_number,
                         last_accepted_at = excluded.last_accepted_at",
                    named_params! {
                        ":charge_box_id": charge_box_id.as_ref(),
                        ":vendor": boot.vendor,
                        ":model": boot.model,
                        ":serial_number": boot.serial_number,
                        ":charge_box_serial_number": boot.charge_box_serial_number,
                        ":firmware_version": boot.firmware_version,
                        ":iccid": boot.iccid,
                        ":imsi": boot.imsi,
                        ":meter_type": boot.meter_type,
                        ":meter_serial_number": boot.meter_serial_number,
                        ":accepted_at": accepted_at.as_ref(),
                    },
                )
                .map_err(StoreError::sqlite(path, "record a BootNotification"))?;
            Ok(())
        })
    }

    /// Whether this charge point was ever accepted (and not forgotten since).
    pub fn was_accepted(&self, charge_box_id: impl AsRef<str>) -> Result<bool, StoreError> {
        self.with_connection(|connection, path| {
            connection
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM charge_points WHERE charge_box_id = ?1)",
                    [charge_box_id.as_ref()],
                    |row| row.get(0),
                )
                .map_err(StoreError::sqlite(
                    path,
                    "check whether a charge point was accepted",
                ))
        })
    }

    pub fn charge_point(
        &self,
        charge_box_id: impl AsRef<str>,
    ) -> Result<Option<ChargePointRecord>, StoreError> {
        self.with_connection(|connection, path| {
            connection
                .query_row(
                    "SELECT * FROM charge_points WHERE charge_box_id = ?1",
                    [charge_box_id.as_ref()],
                    record_from_row,
                )
                .optional()
                .map_err(StoreError::sqlite(path, "read a charge point"))
        })
    }

    /// Drops the acceptance of a charge point (e.g. when it is removed from the configuration),
    /// so that it must send a BootNotification again. Its sessions stay. Returns whether it was
    /// known.
    pub fn forget_charge_point(&self, charge_box_id: impl AsRef<str>) -> Result<bool, StoreError> {
        self.with_connection(|connection, path| {
            connection
                .execute(
                    "DELETE FROM charge_points WHERE charge_box_id = ?1",
                    [charge_box_id.as_ref()],
                )
                .map(|deleted| deleted > 0)
                .map_err(StoreError::sqlite(path, "forget a charge point"))
        })
    }
}
