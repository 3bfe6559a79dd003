//! The charging-session history as CSV (RFC 4180) for spreadsheets and accounting.

use std::io::Write;

use super::session_model::Session;
use super::{SessionQuery, Store, StoreError};

const HEADER: [&str; 11] = [
    "transaction_id",
    "device",
    "charge_box_id",
    "connector",
    "id_tag",
    "start",
    "stop",
    "meter_start_wh",
    "meter_stop_wh",
    "energy_kwh",
    "stop_reason",
];

impl Store {
    /// Writes the sessions matching the query as CSV: a header row, then one row per session,
    /// newest first, lines ended with CRLF. Open sessions have empty stop columns.
    pub fn export_csv(&self, query: &SessionQuery, writer: impl Write) -> Result<(), StoreError> {
        let operation = "export sessions as CSV";
        // Read everything first, so a slow writer does not hold the database lock.
        let sessions = self.query_sessions(query, false, operation)?;
        write_csv(&sessions, writer).map_err(StoreError::io(self.path(), operation))
    }
}

fn write_csv(sessions: &[Session], mut writer: impl Write) -> std::io::Result<()> {
    write_record(&mut writer, HEADER.iter().map(|name| name.to_string()))?;
    for session in sessions {
        let stop = session.stop.as_ref();
        write_record(
            &mut writer,
            [
                session.transaction_id.to_string(),
                text(session.device_id.as_deref().unwrap_or_default()),
                text(&session.charge_box_id),
                session.connector_id.to_string(),
                text(&session.id_tag),
                text(&session.started_at),
                text(
                    stop.map(|stop| stop.stopped_at.as_str())
                        .unwrap_or_default(),
                ),
                session.meter_start_wh.to_string(),
                stop.map(|stop| stop.meter_stop_wh.to_string())
                    .unwrap_or_default(),
                stop.map(|stop| kwh(stop.energy_wh)).unwrap_or_default(),
                text(
                    stop.and_then(|stop| stop.reason.as_deref())
                        .unwrap_or_default(),
                ),
            ],
        )?;
    }
    writer.flush()
}

fn write_record(
    writer: &mut impl Write,
    fields: impl IntoIterator<Item = String>,
) -> std::io::Result<()> {
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            writer.write_all(b",")?;
        }
        writer.write_all(quoted(&field).as_bytes())?;
    }
    writer.write_all(b"\r\n")
}

/// RFC 4180: a field with a comma, quote or line break is quoted, with quotes doubled.
fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// Text that came from a charge point. Spreadsheets run a cell that starts with `=`, `+`, `-` or
/// `@` as a formula (CSV injection), so such text gets a leading `'`, which they show as text.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// Wh as kWh with exactly three decimals, computed on integers so no rounding can creep in.
fn kwh(energy_wh: i64) -> String {
    let sign = if energy_wh < 0 { "-" } else { "" };
    let magnitude = energy_wh.unsigned_abs();
    format!("{sign}{}.{:03}", magnitude / 1000, magnitude % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kwh_has_three_decimals_and_keeps_the_sign() {
        assert_eq!(kwh(0), "0.000");
        assert_eq!(kwh(5), "0.005");
        assert_eq!(kwh(12_345), "12.345");
        assert_eq!(kwh(1_000_000), "1000.000");
        assert_eq!(kwh(-5), "-0.005");
        assert_eq!(kwh(-1_500), "-1.500");
        assert_eq!(kwh(i64::MIN), "-9223372036854775.808");
    }

    #[test]
    fn only_fields_that_need_it_are_quoted() {
        assert_eq!(quoted("CP001"), "CP001");
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("two\nlines"), "\"two\nlines\"");
        assert_eq!(quoted("cr\rhere"), "\"cr\rhere\"");
    }

    #[test]
    fn formula_starts_are_defused() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("ABC-123"), "ABC-123");
    }
}
