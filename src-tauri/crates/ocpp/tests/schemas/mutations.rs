//! Schema-driven variations of a complete example: for every property the schema describes, values
//! the schema accepts and values it refuses. Our types must agree with the schema on each one.

use serde_json::{json, Map, Value};

use super::schema_check::{required_of, Schema};

/// What the schema (and therefore our types) must say about a variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    /// Refuse, with a serde error message starting with this prefix (the framing layer maps the
    /// prefix to a CALLERROR code, so it is part of the contract).
    Refuse(&'static str),
}

pub struct Mutation {
    pub description: String,
    pub instance: Value,
    pub verdict: Verdict,
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// A property found in the example, with the (resolved) schema describing it.
struct Site<'s> {
    parent: Vec<Step>,
    name: String,
    schema: &'s Value,
    required: bool,
}

const VALID_DATE_TIME: &str = "2019-08-23T14:31:05.123+02:00";
const INVALID_DATE_TIME: &str = "23.08.2019 14:31";

pub fn mutations(schema: &Schema, full: &Value) -> Vec<Mutation> {
    let mut sites = Vec::new();
    let mut objects = Vec::new();
    collect(
        schema,
        &schema.root,
        full,
        &mut Vec::new(),
        &mut sites,
        &mut objects,
    );

    let mut out = Vec::new();
    for object in &objects {
        let mut instance = full.clone();
        object_at(&mut instance, object).insert("unexpectedField".to_owned(), json!(1));
        out.push(Mutation {
            description: format!("unknown property in {}", render(object)),
            instance,
            verdict: Verdict::Refuse("unknown field"),
        });
    }
    for site in &sites {
        site_mutations(full, site, &mut out);
    }
    out
}

fn site_mutations(full: &Value, site: &Site<'_>, out: &mut Vec<Mutation>) {
    let path = format!("{}.{}", render(&site.parent), site.name);
    let mut push = |what: String, value: Option<Value>, verdict: Verdict| {
        let mut instance = full.clone();
        let object = object_at(&mut instance, &site.parent);
        match value {
            Some(value) => object.insert(site.name.clone(), value),
            None => object.remove(&site.name),
        };
        out.push(Mutation {
            description: format!("{path}: {what}"),
            instance,
            verdict,
        });
    };

    let removal = if site.required {
        Verdict::Refuse("missing field")
    } else {
        Verdict::Accept
    };
    push("left out".to_owned(), None, removal);

    let schema = site.schema;
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        for value in allowed {
            push(
                format!("enum value {value}"),
                Some(value.clone()),
                Verdict::Accept,
            );
        }
        push(
            "value outside the enum".to_owned(),
            Some(json!("NotAnAllowedValue")),
            Verdict::Refuse("unknown variant"),
        );
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        // Multi-byte characters: the limit counts characters, not bytes.
        push(
            format!("{max} characters"),
            Some(json!("é".repeat(max))),
            Verdict::Accept,
        );
        push(
            format!("{} characters", max + 1),
            Some(json!("x".repeat(max + 1))),
            Verdict::Refuse("string too long"),
        );
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        push(
            "another RFC 3339 date-time".to_owned(),
            Some(json!(VALID_DATE_TIME)),
            Verdict::Accept,
        );
        push(
            "a date-time that is not RFC 3339".to_owned(),
            Some(json!(INVALID_DATE_TIME)),
            Verdict::Refuse("invalid date-time"),
        );
    }
    if schema.get("minItems").and_then(Value::as_u64) == Some(1) {
        push(
            "empty array".to_owned(),
            Some(json!([])),
            Verdict::Refuse("too few items"),
        );
    }
    let wrong_types: &[Value] = match schema.get("type").and_then(Value::as_str) {
        Some("string") => &[json!(42), json!(true)],
        Some("integer") => &[json!("42"), json!(1.5)],
        Some("number") => &[json!("16.5")],
        Some("boolean") => &[json!("true"), json!(1)],
        Some("array") => &[json!("x"), json!({})],
        Some("object") => &[json!("x"), json!(7)],
        _ => &[],
    };
    for wrong in wrong_types {
        push(
            format!("wrong type {wrong}"),
            Some(wrong.clone()),
            Verdict::Refuse("invalid type"),
        );
    }
}

fn collect<'s>(
    schema: &'s Schema,
    node: &'s Value,
    instance: &Value,
    path: &mut Vec<Step>,
    sites: &mut Vec<Site<'s>>,
    objects: &mut Vec<Vec<Step>>,
) {
    let node = schema.resolve(node);
    match instance {
        Value::Object(map) => {
            objects.push(path.clone());
            let required = required_of(node);
            let Some(properties) = node.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (name, child_schema) in properties {
                let Some(child) = map.get(name) else { continue };
                sites.push(Site {
                    parent: path.clone(),
                    name: name.clone(),
                    schema: schema.resolve(child_schema),
                    required: required.contains(name.as_str()),
                });
                path.push(Step::Key(name.clone()));
                collect(schema, child_schema, child, path, sites, objects);
                path.pop();
            }
        }
        Value::Array(items) => {
            // Every item, not just the first: a complete example spreads optional fields over items.
            if let Some(item_schema) = node.get("items") {
                for (index, item) in items.iter().enumerate() {
                    path.push(Step::Index(index));
                    collect(schema, item_schema, item, path, sites, objects);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

fn object_at<'v>(instance: &'v mut Value, path: &[Step]) -> &'v mut Map<String, Value> {
    let mut current = instance;
    for step in path {
        current = match step {
            Step::Key(key) => current.get_mut(key.as_str()),
            Step::Index(index) => current.get_mut(*index),
        }
        .unwrap_or_else(|| panic!("path {} vanished", render(path)));
    }
    current
        .as_object_mut()
        .unwrap_or_else(|| panic!("{} is not an object", render(path)))
}

fn render(path: &[Step]) -> String {
    let mut out = String::from("$");
    for step in path {
        match step {
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}
