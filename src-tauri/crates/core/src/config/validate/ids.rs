//! Identifiers and uniqueness: the portable id rule, and finding the entry a repeat repeats.

use std::collections::HashMap;
use std::hash::Hash;

use super::Report;

const MAX_ID_CHARS: usize = 64;

/// An entry's own id: valid, and not already the id of an earlier entry of the same list.
/// `earlier` names the entry at an index, for the message.
pub(super) fn check_entry_id(
    field: &str,
    id: &str,
    index: usize,
    first_with_id: &HashMap<&str, usize>,
    earlier: impl FnOnce(usize) -> String,
    report: &mut Report,
) {
    check_id(field, id, report);
    if let Some(&first) = first_with_id.get(id) {
        if first != index && !id.is_empty() {
            report.add(
                field,
                format!("\"{id}\" is already the id of {}", earlier(first)),
            );
        }
    }
}

/// Ids appear in references, keyring entries and file names, so they are kept to a portable set.
fn check_id(field: &str, id: &str, report: &mut Report) {
    if id.is_empty() {
        report.add(field, "must not be empty");
    } else if id.chars().count() > MAX_ID_CHARS {
        report.add(
            field,
            format!(
                "{} characters is longer than the {MAX_ID_CHARS} allowed",
                id.chars().count()
            ),
        );
    } else if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        report.add(
            field,
            format!(
                "\"{}\" contains {bad:?}; use only letters A-Z and a-z, digits, '-' and '_'",
                id.escape_debug()
            ),
        );
    }
}

/// Where each id stands first, for references to it and for naming the entry a repeat repeats.
pub(super) fn first_index_by_id<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut first = HashMap::new();
    for (index, id) in ids.enumerate() {
        first.entry(id).or_insert(index);
    }
    first
}

/// Remembers where each key was first seen while walking a list, so a repeat can name the entry it
/// repeats.
pub(super) struct FirstSeen<K>(HashMap<K, usize>);

impl<K: Eq + Hash> FirstSeen<K> {
    pub(super) fn new() -> Self {
        Self(HashMap::new())
    }

    /// The index `key` was first seen at, or `None` (remembering `index`) when this is the first.
    pub(super) fn earlier(&mut self, key: K, index: usize) -> Option<usize> {
        match self.0.entry(key) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
                None
            }
        }
    }
}
