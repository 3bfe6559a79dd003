//! Migration of configuration files written with an older `schema_version`.

/// One step from `from_version` to `from_version + 1`, on the file's raw TOML.
pub struct Migration {
    pub from_version: u32,
    pub apply: fn(toml::Table) -> Result<toml::Table, MigrationError>,
}

/// Every migration this build knows, oldest first.
pub const MIGRATIONS: &[Migration] = &[];

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("todo")]
    Todo,
}

pub fn migrate(
    _table: toml::Table,
    _steps: &[Migration],
    _target: u32,
) -> Result<(toml::Table, bool), MigrationError> {
    todo!("helper A")
}
