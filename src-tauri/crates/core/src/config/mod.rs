//! Configuration: the typed model, validation that names the field, the atomic file store and
//! migration from older schema versions.

mod demo;
mod migrate;
mod model;
mod store;
mod validate;

pub use demo::demo_config;
pub use migrate::{migrate, Migration, MigrationError, MIGRATIONS};
pub use model::*;
pub use store::{parse_config, ConfigError, ConfigStore, SaveOutcome, TextPosition};
pub use validate::{validate, ValidationError, ValidationErrors};
