//! Errors as they cross to the UI: `{code, message}` (plus the fields a validation error names), so the
//! UI branches on codes, never on message text.

use ampwise_core::config::ValidationErrors;
use ampwise_core::secrets::SecretError;
use ampwise_core::CoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl CommandError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    fn invalid_config(errors: &ValidationErrors) -> Self {
        Self {
            code: "invalid_config",
            message: format!("The configuration is not valid:\n{errors}"),
            fields: errors
                .0
                .iter()
                .map(|error| FieldError {
                    field: error.field.clone(),
                    reason: error.reason.clone(),
                })
                .collect(),
        }
    }
}

impl From<CoreError> for CommandError {
    fn from(error: CoreError) -> Self {
        match &error {
            CoreError::Invalid(errors) => Self::invalid_config(errors),
            CoreError::Store(_) => Self::new("config_io", error.to_string()),
            CoreError::Secret(SecretError::KeyringUnavailable { .. }) => {
                Self::new("secret_store_unavailable", error.to_string())
            }
            CoreError::Secret(_) => Self::new("secret_store", error.to_string()),
            CoreError::UnknownDevice { .. }
            | CoreError::NoGateway { .. }
            | CoreError::NotAWallbox { .. }
            | CoreError::InvalidCurrent { .. } => Self::new("invalid_input", error.to_string()),
            CoreError::Serial(_) => Self::new("serial_enumeration", error.to_string()),
            CoreError::Join(_) => Self::new("internal", error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use ampwise_core::config::{ValidationError, ValidationErrors};

    use super::*;

    #[test]
    fn validation_errors_cross_with_every_field() {
        let errors = ValidationErrors(vec![
            ValidationError {
                field: "ocpp_server.port".to_owned(),
                reason: "0 is not a usable port".to_owned(),
            },
            ValidationError {
                field: "devices[2].driver.transport.baud_rate".to_owned(),
                reason: "12345 is not a supported rate".to_owned(),
            },
        ]);
        let error = CommandError::from(CoreError::Invalid(errors));
        assert_eq!(error.code, "invalid_config");
        let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["ocpp_server.port", "devices[2].driver.transport.baud_rate"]
        );
        assert!(error.message.contains("12345 is not a supported rate"));
    }

    #[test]
    fn an_unreachable_keyring_has_its_own_code() {
        let error = CommandError::from(CoreError::Secret(SecretError::KeyringUnavailable {
            detail: "no session bus".to_owned(),
        }));
        assert_eq!(error.code, "secret_store_unavailable");
        let json = serde_json::to_value(&error).unwrap_or_default();
        assert_eq!(json["code"], "secret_store_unavailable");
        assert!(
            json.get("fields").is_none(),
            "empty field lists are left out"
        );
    }
}
