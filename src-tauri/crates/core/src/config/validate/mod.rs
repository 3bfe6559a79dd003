//! Checks of a whole configuration that the types alone cannot express: ranges, references between
//! sections, uniqueness and the rules of the protocols behind each device.
//!
//! Every problem is collected (not just the first) and names the field by its path in the file, so the
//! UI can mark each field and a hand editor can find each line.

mod certificates;
mod charging;
mod devices;
mod gateway;
mod groups;
mod ids;
mod modbus;
mod ocpp;

use std::fmt;

use super::model::{Config, CURRENT_SCHEMA_VERSION};

/// One problem in a configuration, named by its path in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The path in the file, e.g. `devices[2].driver.transport.baud_rate`.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ValidationError {}

/// Every problem found in one configuration, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems reported for exactly this field.
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a ValidationError> {
        self.0.iter().filter(move |error| error.field == field)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Checks everything and returns every problem found.
pub fn validate(config: &Config) -> Result<(), ValidationErrors> {
    let mut report = Report::default();
    if config.schema_version != CURRENT_SCHEMA_VERSION {
        report.add(
            "schema_version",
            format!(
                "{} is not {CURRENT_SCHEMA_VERSION}, the schema version of this Ampwise",
                config.schema_version
            ),
        );
    }
    charging::check_charging_manager(&config.charging_manager, &mut report);
    ocpp::check_ocpp_server(&config.ocpp_server, &mut report);
    certificates::check_certificates(&config.certificates, &mut report);
    groups::check_groups(&config.groups, &mut report);
    devices::check_devices(config, &mut report);
    report.finish()
}

/// Collects the problems of one validation in the order the checks find them.
#[derive(Default)]
struct Report {
    errors: Vec<ValidationError>,
}

impl Report {
    fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(ValidationError {
            field: field.into(),
            reason: reason.into(),
        });
    }

    fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}
