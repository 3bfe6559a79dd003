//! Config text to a validated `Config`, with errors that name the field by its path in the file.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::error::{ConfigError, TextPosition};
use crate::config::migrate::{migrate, schema_version, Migration, MigrationError, MIGRATIONS};
use crate::config::model::{
    CertificateKeyPair, Config, ModbusAddress, ModbusMeterAddress, OcppEvseAddress, SerialSettings,
    TcpEndpoint, CURRENT_SCHEMA_VERSION,
};
use crate::config::validate::validate;

/// Parses, migrates (with this build's migrations) and validates configuration text.
pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    parse(text, None, MIGRATIONS).map(|parsed| parsed.config)
}

pub(super) struct Parsed {
    pub config: Config,
    /// The schema version of the text, when it was older than this build's.
    pub migrated_from: Option<u32>,
}

pub(super) fn parse(
    text: &str,
    path: Option<&Path>,
    steps: &[Migration],
) -> Result<Parsed, ConfigError> {
    let origin = || path.map(Path::to_path_buf);
    let table: toml::Table =
        toml::from_str(text).map_err(|error| syntax_error(&error, text, origin()))?;
    let version = schema_version(&table).map_err(|error| ConfigError::Schema {
        path: origin(),
        field: "schema_version".to_owned(),
        position: match error {
            MigrationError::MissingVersion => None,
            _ => position_of(text, &[Segment::Key("schema_version".to_owned())]),
        },
        message: match error {
            MigrationError::MissingVersion => format!(
                "missing field; every Ampwise config file starts with `schema_version = \
                 {CURRENT_SCHEMA_VERSION}`"
            ),
            other => other
                .to_string()
                .trim_start_matches("schema_version: ")
                .to_owned(),
        },
    })?;
    if version > CURRENT_SCHEMA_VERSION {
        return Err(ConfigError::NewerVersion {
            path: origin(),
            found: version,
            supported: CURRENT_SCHEMA_VERSION,
        });
    }

    let (config, migrated_from) = if version == CURRENT_SCHEMA_VERSION {
        // From the text rather than the table, so errors carry a line and column.
        let deserializer = toml::Deserializer::parse(text)
            .map_err(|error| syntax_error(&error, text, origin()))?;
        let config = serde_path_to_error::deserialize(deserializer)
            .map_err(|error| schema_error(error, Some(text), &table, origin()))?;
        (config, None)
    } else {
        let (migrated, _) = migrate(table, steps, CURRENT_SCHEMA_VERSION).map_err(|source| {
            ConfigError::Migration {
                path: origin(),
                source,
            }
        })?;
        let config = serde_path_to_error::deserialize(toml::Value::Table(migrated.clone()))
            .map_err(|error| schema_error(error, None, &migrated, origin()))?;
        (config, Some(version))
    };

    validate(&config).map_err(|errors| ConfigError::Invalid {
        path: origin(),
        errors,
    })?;
    Ok(Parsed {
        config,
        migrated_from,
    })
}

fn syntax_error(error: &toml::de::Error, text: &str, path: Option<PathBuf>) -> ConfigError {
    ConfigError::Syntax {
        path,
        position: error.span().map(|span| TextPosition::of(text, span.start)),
        message: error.message().trim_end().to_owned(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn segments_of(path: &serde_path_to_error::Path) -> Vec<Segment> {
    path.iter()
        .map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Segment::Index(*index),
            serde_path_to_error::Segment::Map { key } => Segment::Key(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Segment::Key(variant.clone()),
            serde_path_to_error::Segment::Unknown => Segment::Key("?".to_owned()),
        })
        .collect()
}

fn render(segments: &[Segment]) -> String {
    if segments.is_empty() {
        return "(top level)".to_owned();
    }
    let mut rendered = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) if rendered.is_empty() => rendered.push_str(key),
            Segment::Key(key) => {
                rendered.push('.');
                rendered.push_str(key);
            }
            Segment::Index(index) => rendered.push_str(&format!("[{index}]")),
        }
    }
    rendered
}

fn schema_error(
    error: serde_path_to_error::Error<toml::de::Error>,
    text: Option<&str>,
    table: &toml::Table,
    path: Option<PathBuf>,
) -> ConfigError {
    let mut segments = segments_of(error.path());
    let inner = error.into_inner();
    let mut message = inner.message().to_owned();

    descend_into_tagged_enums(table, &mut segments, &mut message);
    let position = text.and_then(|text| {
        position_of(text, &segments)
            .or_else(|| inner.span().map(|span| TextPosition::of(text, span.start)))
    });

    // serde reports a missing field at its table; the field itself is the better name.
    if let Some(name) = quoted_after(&message, "missing field `") {
        segments.push(Segment::Key(name));
        message = "missing field".to_owned();
    }

    ConfigError::Schema {
        path,
        field: render(&segments),
        position,
        message,
    }
}

fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    rest.find('`').map(|end| rest[..end].to_owned())
}

/// Where the value at `segments` (or the deepest part of it that exists) starts in `text`.
fn position_of(text: &str, segments: &[Segment]) -> Option<TextPosition> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut span = root.span();
    let root = toml::de::DeValue::Table(root.into_inner());
    let mut value = &root;
    for segment in segments {
        let child = match segment {
            Segment::Key(key) => value.get(key.as_str()),
            Segment::Index(index) => value.get(*index),
        };
        let Some(child) = child else {
            break;
        };
        span = child.span();
        value = child.get_ref();
    }
    Some(TextPosition::of(text, span.start))
}

type Probe = fn(toml::Value) -> Option<(Vec<Segment>, String)>;

/// serde buffers internally tagged enums (`kind = ...`, `type = ...`, `source = ...`), which hides
/// the fields inside them from path tracking: an error deep in `devices[0].driver` would name only
/// the driver. The variant's own type is deserialized again from that table to find the field.
fn descend_into_tagged_enums(
    table: &toml::Table,
    segments: &mut Vec<Segment>,
    message: &mut String,
) {
    loop {
        let Some(toml::Value::Table(tagged)) = lookup(table, segments) else {
            return;
        };
        let Some((tag, probe)) = variant_probe(segments, tagged) else {
            return;
        };
        let mut fields = tagged.clone();
        fields.remove(tag);
        match probe(toml::Value::Table(fields)) {
            Some((deeper, deeper_message)) if !deeper.is_empty() => {
                segments.extend(deeper);
                *message = deeper_message;
            }
            _ => return,
        }
    }
}

fn lookup<'a>(table: &'a toml::Table, segments: &[Segment]) -> Option<&'a toml::Value> {
    let (first, rest) = segments.split_first()?;
    let Segment::Key(key) = first else {
        return None;
    };
    let mut value = table.get(key)?;
    for segment in rest {
        value = match (segment, value) {
            (Segment::Key(key), toml::Value::Table(table)) => table.get(key)?,
            (Segment::Index(index), toml::Value::Array(array)) => array.get(*index)?,
            _ => return None,
        };
    }
    Some(value)
}

/// The tag key and the type to probe for the tagged enums of the model, chosen by where they are.
fn variant_probe(segments: &[Segment], tagged: &toml::Table) -> Option<(&'static str, Probe)> {
    let key = |back: usize| match segments.len().checked_sub(back).map(|i| &segments[i]) {
        Some(Segment::Key(key)) => Some(key.as_str()),
        _ => None,
    };
    let tag_value = |tag: &str| tagged.get(tag).and_then(toml::Value::as_str);
    if key(1) == Some("driver") {
        let probe: Probe = match tag_value("kind")? {
            "ocpp16_evse" => probe::<OcppEvseAddress>,
            "power_brain_evse" => probe::<ModbusAddress>,
            "modbus_meter" => probe::<ModbusMeterAddress>,
            _ => return None,
        };
        Some(("kind", probe))
    } else if key(1) == Some("transport") {
        let probe: Probe = match tag_value("type")? {
            "tcp" => probe::<TcpEndpoint>,
            "rtu" => probe::<SerialSettings>,
            _ => return None,
        };
        Some(("type", probe))
    } else if key(1) == Some("server") && key(2) == Some("certificates") {
        match tag_value("source")? {
            "imported" => Some(("source", probe::<CertificateKeyPair> as Probe)),
            _ => None,
        }
    } else {
        None
    }
}

fn probe<T: DeserializeOwned>(value: toml::Value) -> Option<(Vec<Segment>, String)> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => None,
        Err(error) => {
            let segments = segments_of(error.path());
            Some((segments, error.into_inner().message().to_owned()))
        }
    }
}
