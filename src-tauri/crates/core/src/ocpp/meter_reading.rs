//! Turning OCPP sampled values into the readings load management uses: energy in Wh, power in W,
//! current per phase in A, whatever units and measurands the wallbox chose.

use ampwise_ocpp::types::{Measurand, Phase, SampledValue, UnitOfMeasure, ValueFormat};
use serde::Serialize;

use super::wire_name;

/// The latest known electrical readings of one connector. `None` means the wallbox never sent it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MeterReading {
    /// Energy imported, register value in Wh.
    pub energy_wh: Option<f64>,
    /// Active power imported in W.
    pub power_w: Option<f64>,
    /// Current imported per phase L1, L2, L3 in A.
    pub current_a: [Option<f64>; 3],
    /// Voltage per phase in V (phase to neutral).
    pub voltage_v: [Option<f64>; 3],
    /// The current the wallbox offers the car, in A.
    pub current_offered_a: Option<f64>,
    /// State of charge of the car's battery in %, when the wallbox knows it.
    pub soc_percent: Option<f64>,
}

/// A sampled value that carries signed (calibration-law) data: kept exactly as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedValue {
    pub context: String,
    pub value: String,
}

/// What a set of sampled values says.
#[derive(Debug, Default)]
pub struct Samples {
    pub signed: Vec<SignedValue>,
    /// Values that could not be read as numbers (kept out of the reading, counted for the log).
    pub unreadable: usize,
}

/// Applies sampled values to a reading and collects the signed ones.
pub fn apply(reading: &mut MeterReading, values: &[SampledValue]) -> Samples {
    let mut samples = Samples::default();
    for sampled in values {
        if sampled.format == Some(ValueFormat::SignedData) {
            samples.signed.push(SignedValue {
                context: wire_name(&sampled.context.unwrap_or_default()),
                value: sampled.value.clone(),
            });
            continue;
        }
        let Ok(number) = sampled.value.trim().parse::<f64>() else {
            samples.unreadable += 1;
            continue;
        };
        if !number.is_finite() {
            samples.unreadable += 1;
            continue;
        }
        // A value measured at the EV inlet or the grid side is still the charging current; only
        // an explicit non-import measurand is ignored below.
        match sampled.measurand.unwrap_or_default() {
            Measurand::EnergyActiveImportRegister => {
                reading.energy_wh = Some(to_base(number, sampled.unit, UnitOfMeasure::Wh));
            }
            Measurand::PowerActiveImport => {
                reading.power_w = Some(to_base(number, sampled.unit, UnitOfMeasure::W));
            }
            Measurand::CurrentImport => match phase_index(sampled.phase) {
                Some(index) => reading.current_a[index] = Some(number),
                // A current without a phase is the total of a one-phase charge, or unknown: L1.
                None if sampled.phase.is_none() => reading.current_a[0] = Some(number),
                None => {}
            },
            Measurand::Voltage => {
                if let Some(index) = phase_index(sampled.phase) {
                    reading.voltage_v[index] = Some(number);
                }
            }
            Measurand::CurrentOffered => reading.current_offered_a = Some(number),
            Measurand::SoC => reading.soc_percent = Some(number),
            _ => {}
        }
    }
    samples
}

/// Converts kW/kWh to W/Wh; other units are taken as given.
fn to_base(value: f64, unit: Option<UnitOfMeasure>, default: UnitOfMeasure) -> f64 {
    match unit.unwrap_or(default) {
        UnitOfMeasure::KWh | UnitOfMeasure::Kw => value * 1000.0,
        _ => value,
    }
}

fn phase_index(phase: Option<Phase>) -> Option<usize> {
    match phase? {
        Phase::L1 | Phase::L1N => Some(0),
        Phase::L2 | Phase::L2N => Some(1),
        Phase::L3 | Phase::L3N => Some(2),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ampwise_ocpp::types::ReadingContext;

    use super::*;

    fn value(
        text: &str,
        measurand: Measurand,
        unit: Option<UnitOfMeasure>,
        phase: Option<Phase>,
    ) -> SampledValue {
        SampledValue {
            measurand: Some(measurand),
            unit,
            phase,
            ..SampledValue::new(text)
        }
    }

    #[test]
    fn units_are_converted_and_phases_sorted() {
        let mut reading = MeterReading::default();
        let samples = apply(
            &mut reading,
            &[
                value(
                    "12.5",
                    Measurand::EnergyActiveImportRegister,
                    Some(UnitOfMeasure::KWh),
                    None,
                ),
                value(
                    "7.2",
                    Measurand::PowerActiveImport,
                    Some(UnitOfMeasure::Kw),
                    None,
                ),
                value(
                    "10.1",
                    Measurand::CurrentImport,
                    Some(UnitOfMeasure::A),
                    Some(Phase::L1),
                ),
                value(
                    "10.2",
                    Measurand::CurrentImport,
                    Some(UnitOfMeasure::A),
                    Some(Phase::L2),
                ),
                value(
                    "10.3",
                    Measurand::CurrentImport,
                    Some(UnitOfMeasure::A),
                    Some(Phase::L3),
                ),
                value(
                    "231",
                    Measurand::Voltage,
                    Some(UnitOfMeasure::V),
                    Some(Phase::L2N),
                ),
            ],
        );
        assert_eq!(reading.energy_wh, Some(12_500.0));
        assert_eq!(reading.power_w, Some(7_200.0));
        assert_eq!(reading.current_a, [Some(10.1), Some(10.2), Some(10.3)]);
        assert_eq!(reading.voltage_v, [None, Some(231.0), None]);
        assert!(samples.signed.is_empty());
        assert_eq!(samples.unreadable, 0);
    }

    #[test]
    fn a_bare_value_is_the_energy_register_in_wh() {
        let mut reading = MeterReading::default();
        apply(&mut reading, &[SampledValue::new("4711")]);
        assert_eq!(reading.energy_wh, Some(4711.0));
    }

    #[test]
    fn signed_data_is_kept_verbatim_and_not_read_as_a_number() {
        let ocmf = r#"OCMF|{"FV":"1.0","RD":[{"TM":"2026-11-24T10:00:00,000+0000 S","RV":1.234,"RI":"1-b:1.8.0","RU":"kWh"}]}|{"SD":"3045022100"}"#;
        let mut reading = MeterReading::default();
        let samples = apply(
            &mut reading,
            &[SampledValue {
                format: Some(ValueFormat::SignedData),
                context: Some(ReadingContext::TransactionEnd),
                ..SampledValue::new(ocmf)
            }],
        );
        assert_eq!(reading, MeterReading::default());
        assert_eq!(samples.signed.len(), 1);
        assert_eq!(samples.signed[0].value, ocmf);
        assert_eq!(samples.signed[0].context, "Transaction.End");
    }

    #[test]
    fn garbage_is_counted_not_stored() {
        let mut reading = MeterReading::default();
        let samples = apply(
            &mut reading,
            &[
                SampledValue::new("twelve"),
                SampledValue::new("NaN"),
                SampledValue::new("inf"),
            ],
        );
        assert_eq!(reading.energy_wh, None);
        assert_eq!(samples.unreadable, 3);
    }
}
