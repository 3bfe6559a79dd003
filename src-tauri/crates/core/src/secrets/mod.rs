//! Secrets (passwords) live in the OS keyring, never in the configuration file.
//!
//! [`SecretStore`] is where they are kept: [`KeyringSecretStore`] (the default: Secret Service on
//! Linux, Credential Manager on Windows, Keychain on macOS) or, for headless servers that have no
//! keyring, [`FileSecretStore`] (explicit opt-in: a file readable only by the current user).
//! The calls block on I/O (D-Bus, the file system), so async code runs them in `spawn_blocking`.
//!
//! No error or log line produced here contains a secret value: errors carry only the platform's
//! description of what failed and the name of the secret involved.

mod file_store;
mod keyring_store;
mod secret;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use file_store::FileSecretStore;
pub use keyring_store::KeyringSecretStore;
pub use secret::Secret;

/// Which secret: the key under which a store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecretName {
    /// The password wallboxes use to connect to our OCPP server (HTTP Basic auth).
    OcppServerPassword,
    /// The password a gateway uplink uses toward an external OCPP backend, one per device.
    GatewayPassword { device_id: String },
}

impl SecretName {
    /// The account name under which the keyring (and the secrets file) stores this secret.
    pub fn account(&self) -> String {
        match self {
            SecretName::OcppServerPassword => "ocpp-server-password".to_owned(),
            SecretName::GatewayPassword { device_id } => format!("gateway-password/{device_id}"),
        }
    }
}

impl std::fmt::Display for SecretName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretName::OcppServerPassword => f.write_str("the OCPP server password"),
            SecretName::GatewayPassword { device_id } => {
                write!(f, "the gateway password of device \"{device_id}\"")
            }
        }
    }
}

/// What can go wrong while storing or reading a secret. Never contains the secret itself.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no OS keyring could be reached to store passwords ({detail}); on a desktop, install or \
         unlock a Secret Service such as gnome-keyring or KeePassXC; on a headless server start \
         ampwised with --secrets-file to keep secrets in a file readable only by this user"
    )]
    KeyringUnavailable { detail: String },
    #[error("the OS keyring failed: {detail}")]
    Keyring { detail: String },
    #[error("secrets file {}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "secrets file {} is accessible to other users (mode {mode:04o}); refusing to use it. \
         Restrict it to this user, e.g. `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    InsecureFilePermissions { path: PathBuf, mode: u32 },
    #[error("a secret must not be empty")]
    Empty,
}

/// Where secrets are kept.
pub trait SecretStore: Send + Sync {
    /// Stores `secret` under `name`, replacing any previous value.
    fn set(&self, name: &SecretName, secret: &Secret) -> Result<(), SecretError>;
    /// The secret stored under `name`, or `None` when there is none.
    fn get(&self, name: &SecretName) -> Result<Option<Secret>, SecretError>;
    /// Removes the secret stored under `name`; removing one that is not there is not an error.
    fn delete(&self, name: &SecretName) -> Result<(), SecretError>;
    /// Whether a secret is stored under `name`.
    fn is_set(&self, name: &SecretName) -> Result<bool, SecretError> {
        Ok(self.get(name)?.is_some())
    }
    /// Where the secrets are, for the user ("the OS keyring (Secret Service)", "the file ...").
    fn describe(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names() {
        assert_eq!(
            SecretName::OcppServerPassword.account(),
            "ocpp-server-password"
        );
        let gateway = SecretName::GatewayPassword {
            device_id: "wallbox-1".into(),
        };
        assert_eq!(gateway.account(), "gateway-password/wallbox-1");
    }

    #[test]
    fn names_are_tagged_by_kind() -> Result<(), serde_json::Error> {
        assert_eq!(
            serde_json::to_string(&SecretName::OcppServerPassword)?,
            r#"{"kind":"ocpp_server_password"}"#
        );
        let gateway: SecretName =
            serde_json::from_str(r#"{"kind":"gateway_password","device_id":"wb"}"#)?;
        assert_eq!(
            gateway,
            SecretName::GatewayPassword {
                device_id: "wb".into()
            }
        );
        Ok(())
    }

    #[test]
    fn unavailable_keyring_names_the_fix() {
        let message = SecretError::KeyringUnavailable {
            detail: "no D-Bus".into(),
        }
        .to_string();
        assert!(message.contains("no D-Bus"), "{message}");
        assert!(message.contains("gnome-keyring or KeePassXC"), "{message}");
        assert!(message.contains("--secrets-file"), "{message}");
    }

    #[test]
    fn insecure_file_message_names_mode_and_fix() {
        let message = SecretError::InsecureFilePermissions {
            path: PathBuf::from("/srv/secrets.json"),
            mode: 0o644,
        }
        .to_string();
        assert!(message.contains("0644"), "{message}");
        assert!(message.contains("chmod 600 /srv/secrets.json"), "{message}");
    }
}
