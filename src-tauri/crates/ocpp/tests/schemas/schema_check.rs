//! Loading the official OCPP 1.6 schemas and comparing instances with them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

/// `../shared/ocpp16/schemas`, which sits beside the repository: crates/ocpp → crates →
/// src-tauri → repository root → its parent.
pub fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/ocpp16/schemas")
}

pub struct Schema {
    pub file: String,
    pub root: Value,
    validator: jsonschema::Validator,
}

impl Schema {
    /// Loads `<file_stem>.json`, e.g. `BootNotification` or `BootNotificationResponse`.
    pub fn load(file_stem: &str) -> Self {
        let file = format!("{file_stem}.json");
        let path = schema_dir().join(&file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let root: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file}: {err}"));
        // Formats are validated too, so `date-time` strings are held to RFC 3339 like our DateTime.
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|err| panic!("{file}: {err}"));
        Self {
            file,
            root,
            validator,
        }
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    pub fn errors(&self, instance: &Value) -> Vec<String> {
        self.validator
            .iter_errors(instance)
            .map(|err| format!("{}: {err}", err.instance_path()))
            .collect()
    }

    pub fn assert_valid(&self, instance: &Value, label: &str) {
        let errors = self.errors(instance);
        assert!(
            errors.is_empty(),
            "{label} breaks {}: {errors:#?}\n{instance:#}",
            self.file
        );
    }

    /// Follows a local `$ref` (`#/definitions/X`, as the security-extension schemas use).
    pub fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("non-local $ref {reference}"));
                self.root
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("{}: dangling $ref {reference}", self.file))
            }
            None => node,
        }
    }

    /// Every property path the schema defines, arrays written as `[]`, e.g.
    /// `meterValue[].sampledValue[].unit`.
    pub fn property_paths(&self) -> BTreeSet<String> {
        let mut paths = BTreeSet::new();
        self.collect_property_paths(&self.root, "", &mut paths);
        paths
    }

    fn collect_property_paths(&self, node: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        let node = self.resolve(node);
        if let Some(properties) = node.get("properties").and_then(Value::as_object) {
            for (name, child) in properties {
                let path = join(prefix, name);
                out.insert(path.clone());
                self.collect_property_paths(child, &path, out);
            }
        }
        if let Some(items) = node.get("items") {
            self.collect_property_paths(items, &format!("{prefix}[]"), out);
        }
    }

    /// Panics when an object in `instance` holds a property its schema does not require.
    pub fn assert_only_required(&self, instance: &Value, label: &str) {
        self.check_only_required(&self.root, instance, "", label);
    }

    fn check_only_required(&self, node: &Value, instance: &Value, prefix: &str, label: &str) {
        let node = self.resolve(node);
        match instance {
            Value::Object(map) => {
                let required = required_of(node);
                for (name, child) in map {
                    let path = join(prefix, name);
                    assert!(
                        required.contains(name.as_str()),
                        "{label}: optional `{path}` present in a minimal example"
                    );
                    if let Some(child_schema) = node.pointer(&format!("/properties/{name}")) {
                        self.check_only_required(child_schema, child, &path, label);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = node.get("items") {
                    for item in items {
                        self.check_only_required(item_schema, item, &format!("{prefix}[]"), label);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The names in a schema node's `required` list.
pub fn required_of(node: &Value) -> BTreeSet<&str> {
    node.get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Every property path present in an instance, in the notation of [`Schema::property_paths`].
pub fn instance_property_paths(instance: &Value) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    collect_instance_paths(instance, "", &mut paths);
    paths
}

fn collect_instance_paths(instance: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match instance {
        Value::Object(map) => {
            for (name, child) in map {
                let path = join(prefix, name);
                out.insert(path.clone());
                collect_instance_paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_instance_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}
