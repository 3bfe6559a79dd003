//! Keeps the examples in `docs/configuration.md` true: every ```toml block must load.
//!
//! A block whose first line is `schema_version = …` is a complete file; any other block is a
//! fragment (a section or a `[[devices]]` entry) and is loaded as `schema_version = 1` followed by the
//! fragment, so it meets the same parser and validation as a real file. Two blocks are marked with an
//! HTML comment and compared with the code: the defaults and the demo installation.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ampwise_core::config::{
    demo_config, parse_config, Config, ConfigError, DeviceDriver, ModbusTransport,
    CURRENT_SCHEMA_VERSION,
};

const DOC: &str = "docs/configuration.md";
const COMPLETE_FILE_START: &str = "schema_version = ";
/// Written on the line before a block's fence: `<!-- config-docs: NAME -->`.
const MARKER_START: &str = "<!-- config-docs:";

struct TomlBlock {
    /// The line of the opening fence, counted from 1.
    line: usize,
    text: String,
    marker: Option<String>,
}

impl TomlBlock {
    fn is_complete_file(&self) -> bool {
        self.text
            .lines()
            .next()
            .is_some_and(|first| first.starts_with(COMPLETE_FILE_START))
    }

    /// The block as a whole config file: fragments get the schema version prepended.
    fn as_file(&self) -> String {
        if self.is_complete_file() {
            self.text.clone()
        } else {
            format!("schema_version = {CURRENT_SCHEMA_VERSION}\n{}", self.text)
        }
    }

    fn load(&self) -> Result<Config, ConfigError> {
        parse_config(&self.as_file())
    }

    /// The line in the doc where `error` points, when it carries a position inside this block.
    fn doc_line_of(&self, error: &ConfigError) -> Option<usize> {
        let position = match error {
            ConfigError::Syntax { position, .. } | ConfigError::Schema { position, .. } => {
                (*position)?
            }
            _ => return None,
        };
        let line_in_block = if self.is_complete_file() {
            position.line
        } else {
            // The prepended `schema_version` line is not in the doc.
            position.line.checked_sub(1).filter(|line| *line > 0)?
        };
        Some(self.line + line_in_block)
    }

    fn failure(&self, error: &ConfigError) -> String {
        let at = self
            .doc_line_of(error)
            .map(|line| format!(", error at {DOC} line {line}"))
            .unwrap_or_default();
        let indented = error.to_string().replace('\n', "\n    ");
        format!("{}{at}:\n    {indented}", self.describe())
    }

    fn describe(&self) -> String {
        let kind = if self.is_complete_file() {
            "complete file"
        } else {
            "fragment, loaded after `schema_version = 1`"
        };
        format!("{DOC} line {} ({kind})", self.line)
    }
}

fn doc_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../docs/configuration.md");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Every ```toml fenced block, with the marker on the line before its fence, if any. Blocks in other
/// languages are skipped whole, so TOML-looking text inside them is not mistaken for an example.
fn toml_blocks(doc: &str) -> Vec<TomlBlock> {
    let mut blocks = Vec::new();
    let mut lines = doc.lines().enumerate();
    let mut previous: Option<&str> = None;
    while let Some((index, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            previous = Some(line);
            continue;
        };
        let mut body = String::new();
        let mut closed = false;
        for (_, inner) in lines.by_ref() {
            if inner.trim() == "```" {
                closed = true;
                break;
            }
            body.push_str(inner);
            body.push('\n');
        }
        assert!(
            closed,
            "{DOC} line {}: the fence is never closed",
            index + 1
        );
        if info.trim() == "toml" {
            blocks.push(TomlBlock {
                line: index + 1,
                text: body,
                marker: previous.and_then(marker_name),
            });
        }
        previous = None;
    }
    blocks
}

fn marker_name(line: &str) -> Option<String> {
    let name = line
        .trim()
        .strip_prefix(MARKER_START)?
        .strip_suffix("-->")?;
    Some(name.trim().to_owned())
}

fn marked<'a>(blocks: &'a [TomlBlock], name: &str) -> &'a TomlBlock {
    let found: Vec<&TomlBlock> = blocks
        .iter()
        .filter(|block| block.marker.as_deref() == Some(name))
        .collect();
    match found[..] {
        [block] => block,
        _ => panic!(
            "{DOC} must have exactly one ```toml block right after `{MARKER_START} {name} -->`; \
             found {}",
            found.len()
        ),
    }
}

fn load_marked(blocks: &[TomlBlock], name: &str) -> Config {
    let block = marked(blocks, name);
    assert!(
        block.is_complete_file(),
        "{}: the {name} block must be a complete file",
        block.describe()
    );
    block
        .load()
        .unwrap_or_else(|error| panic!("{}: {error}", block.describe()))
}

#[test]
fn every_toml_example_loads() {
    let blocks = toml_blocks(&doc_text());
    assert!(
        blocks.iter().any(TomlBlock::is_complete_file),
        "{DOC} has no complete example file (a ```toml block starting with `{COMPLETE_FILE_START}`)"
    );
    assert!(
        blocks.iter().any(|block| !block.is_complete_file()),
        "{DOC} has no fragment examples; are the ```toml fences still there?"
    );

    let failures: Vec<String> = blocks
        .iter()
        .filter_map(|block| block.load().err().map(|error| block.failure(&error)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} ```toml examples do not load:\n{}",
        failures.len(),
        blocks.len(),
        failures.join("\n")
    );
}

#[test]
fn the_documented_defaults_are_the_defaults() {
    let blocks = toml_blocks(&doc_text());
    let documented = load_marked(&blocks, "defaults");
    assert_eq!(documented, Config::default());
    let minimal = parse_config(&format!("schema_version = {CURRENT_SCHEMA_VERSION}\n")).unwrap();
    assert_eq!(
        documented, minimal,
        "a file with only schema_version must mean the documented defaults"
    );
}

#[test]
fn the_documented_demo_is_the_demo() {
    let blocks = toml_blocks(&doc_text());
    let demo = demo_config();
    assert!(
        load_marked(&blocks, "demo") == demo,
        "the demo block of {DOC} is not the demo installation; Ampwise writes it as:\n{}",
        toml::to_string_pretty(&demo).unwrap()
    );
}

/// The page promises an example of every device kind over every transport it can use; a new kind or
/// transport does not compile here until it is counted, and then fails until it is documented.
#[test]
fn the_examples_show_every_device_kind_and_transport() {
    let blocks = toml_blocks(&doc_text());
    let mut ocpp = false;
    let mut power_brain = [false; 2];
    let mut meter = [false; 2];
    for config in blocks.iter().filter_map(|block| block.load().ok()) {
        for device in &config.devices {
            match &device.driver {
                DeviceDriver::Ocpp16Evse(_) => ocpp = true,
                DeviceDriver::PowerBrainEvse(address) => {
                    power_brain[transport_index(&address.transport)] = true;
                }
                DeviceDriver::ModbusMeter(address) => {
                    meter[transport_index(&address.transport)] = true;
                }
            }
        }
    }
    assert!(ocpp, "{DOC} shows no ocpp16_evse device");
    assert_eq!(
        power_brain, [true; 2],
        "{DOC} must show power_brain_evse over [tcp, rtu]"
    );
    assert_eq!(
        meter, [true; 2],
        "{DOC} must show modbus_meter over [tcp, rtu]"
    );
}

fn transport_index(transport: &ModbusTransport) -> usize {
    match transport {
        ModbusTransport::Tcp(_) => 0,
        ModbusTransport::Rtu(_) => 1,
    }
}

#[test]
fn fences_are_found_with_their_line_and_marker() {
    let doc = "text\n```sh\n[not toml]\n```\n<!-- config-docs: x -->\n```toml\na = 1\n```\n\n```toml\nb = 2\n```\n";
    let blocks = toml_blocks(doc);
    assert_eq!(blocks.len(), 2);
    assert_eq!(
        (
            blocks[0].line,
            blocks[0].text.as_str(),
            blocks[0].marker.as_deref()
        ),
        (6, "a = 1\n", Some("x"))
    );
    assert_eq!((blocks[1].line, blocks[1].marker.as_deref()), (10, None));
}
