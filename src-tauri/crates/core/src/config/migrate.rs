//! Migration of configuration files written with an older `schema_version`.
//!
//! Steps work on the raw TOML table, before the typed model sees it: an old file usually does not
//! deserialize into today's types, which is why it needs migrating in the first place.

/// One step from `from_version` to `from_version + 1`, on the file's raw TOML.
///
/// A step changes only what its version changed; `migrate` sets `schema_version` after it.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub from_version: u32,
    pub apply: fn(toml::Table) -> Result<toml::Table, MigrationError>,
}

/// Every migration this build knows, oldest first. Version 1 is the first schema, so none yet.
pub const MIGRATIONS: &[Migration] = &[];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    #[error("schema_version: missing")]
    MissingVersion,
    #[error("schema_version: must be a whole number, found {found}")]
    VersionNotInteger { found: String },
    #[error("schema_version: {found} is not a schema version")]
    VersionOutOfRange { found: i64 },
    #[error(
        "schema_version: {found} is newer than {target}, the newest schema this build understands"
    )]
    NewerThanTarget { found: u32, target: u32 },
    #[error("no migration from schema_version {from_version}")]
    MissingStep { from_version: u32 },
    /// Reported by a step that finds something it cannot carry over.
    #[error("migrating from schema_version {from_version}: {field}: {reason}")]
    Step {
        from_version: u32,
        field: String,
        reason: String,
    },
}

/// The `schema_version` a raw configuration declares.
pub fn schema_version(table: &toml::Table) -> Result<u32, MigrationError> {
    match table.get("schema_version") {
        None => Err(MigrationError::MissingVersion),
        Some(toml::Value::Integer(version)) => u32::try_from(*version)
            .map_err(|_| MigrationError::VersionOutOfRange { found: *version }),
        Some(other) => Err(MigrationError::VersionNotInteger {
            found: describe_value(other),
        }),
    }
}

fn describe_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => format!("the string {text:?}"),
        toml::Value::Float(number) => format!("the float {number}"),
        toml::Value::Boolean(flag) => format!("the boolean {flag}"),
        toml::Value::Datetime(datetime) => format!("the date {datetime}"),
        toml::Value::Array(_) => "an array".to_owned(),
        toml::Value::Table(_) => "a table".to_owned(),
        toml::Value::Integer(number) => format!("the integer {number}"),
    }
}

/// Applies `steps` in order from the file's version up to `target`.
///
/// Returns the table and whether anything was migrated. A file already at `target` comes back
/// unchanged; one newer than `target` is refused rather than guessed at.
pub fn migrate(
    mut table: toml::Table,
    steps: &[Migration],
    target: u32,
) -> Result<(toml::Table, bool), MigrationError> {
    let mut version = schema_version(&table)?;
    if version > target {
        return Err(MigrationError::NewerThanTarget {
            found: version,
            target,
        });
    }
    let mut changed = false;
    while version < target {
        let step = steps
            .iter()
            .find(|step| step.from_version == version)
            .ok_or(MigrationError::MissingStep {
                from_version: version,
            })?;
        table = (step.apply)(table)?;
        version += 1;
        table.insert(
            "schema_version".to_owned(),
            toml::Value::Integer(i64::from(version)),
        );
        changed = true;
    }
    Ok((table, changed))
}
