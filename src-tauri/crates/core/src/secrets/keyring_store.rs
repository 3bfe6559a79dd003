//! Secrets in the OS keyring: Secret Service on Linux, Credential Manager on Windows, Keychain on
//! macOS.

use keyring::Entry;
use zeroize::Zeroize;

use super::{Secret, SecretError, SecretName, SecretStore};

/// Keeps every secret as one keyring entry: service [`KeyringSecretStore::DEFAULT_SERVICE`] (or the
/// one given to [`KeyringSecretStore::new`]), account [`SecretName::account`].
#[derive(Debug, Clone)]
pub struct KeyringSecretStore {
    service: String,
}

impl KeyringSecretStore {
    /// The keyring service name under which Ampwise keeps its passwords.
    pub const DEFAULT_SERVICE: &'static str = "ampwise";

    /// A store under its own keyring service name; tests use a unique one so they never touch the
    /// user's real passwords.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The keyring service name the entries are stored under.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: &SecretName) -> Result<Entry, SecretError> {
        Entry::new(&self.service, &name.account())
            .map_err(|error| keyring_error(error, "opening the keyring entry for", name))
    }
}

impl Default for KeyringSecretStore {
    fn default() -> Self {
        Self::new(Self::DEFAULT_SERVICE)
    }
}

impl SecretStore for KeyringSecretStore {
    fn set(&self, name: &SecretName, secret: &Secret) -> Result<(), SecretError> {
        self.entry(name)?
            .set_password(secret.expose())
            .map_err(|error| keyring_error(error, "storing", name))
    }

    fn get(&self, name: &SecretName) -> Result<Option<Secret>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(value) => match Secret::new(value) {
                Ok(secret) => Ok(Some(secret)),
                // Only another program can have stored an empty value: it is as good as none.
                Err(_) => {
                    tracing::warn!(secret = %name, "the keyring holds an empty value; treating it as not set");
                    Ok(None)
                }
            },
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(keyring_error(error, "reading", name)),
        }
    }

    fn delete(&self, name: &SecretName) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(keyring_error(error, "deleting", name)),
        }
    }

    fn describe(&self) -> String {
        format!("{} (service \"{}\")", PLATFORM_KEYRING, self.service)
    }
}

#[cfg(target_os = "windows")]
const PLATFORM_KEYRING: &str = "the Windows Credential Manager";
#[cfg(target_os = "macos")]
const PLATFORM_KEYRING: &str = "the macOS Keychain";
#[cfg(not(any(target_os = "windows", target_os = "macos")))]
const PLATFORM_KEYRING: &str = "the OS keyring (Secret Service)";

/// Turns a keyring error into ours, saying what we were doing with which secret.
///
/// `BadEncoding` carries the stored bytes, i.e. the secret: they are wiped and never printed.
/// `PlatformFailure` is what the Secret Service backend returns when it cannot even connect to D-Bus
/// (and what the other platforms return when their store fails as a whole), so it counts as
/// "unavailable" together with `NoStorageAccess` (locked keyring, dismissed prompt).
fn keyring_error(error: keyring::Error, doing: &str, name: &SecretName) -> SecretError {
    match error {
        keyring::Error::NoStorageAccess(cause) | keyring::Error::PlatformFailure(cause) => {
            SecretError::KeyringUnavailable {
                detail: format!("{doing} {name}: {cause}"),
            }
        }
        keyring::Error::BadEncoding(mut bytes) => {
            bytes.zeroize();
            SecretError::Keyring {
                detail: format!("{doing} {name}: the stored value is not valid UTF-8"),
            }
        }
        keyring::Error::NoEntry => SecretError::Keyring {
            detail: format!("{doing} {name}: no such entry"),
        },
        keyring::Error::Ambiguous(credentials) => SecretError::Keyring {
            detail: format!(
                "{doing} {name}: {} keyring entries match; remove the duplicates with the \
                 keyring's own management tool",
                credentials.len()
            ),
        },
        // TooLong, Invalid and any variant added later describe attributes, never the value.
        other => SecretError::Keyring {
            detail: format!("{doing} {name}: {other}"),
        },
    }
}
