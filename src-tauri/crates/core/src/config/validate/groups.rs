//! Groups (sub-distributions): their ids, names and fuses, and a hierarchy that ends at the grid
//! connection instead of going round in a cycle.

use std::collections::HashMap;

use crate::config::model::Group;

use super::charging::check_phase_limits;
use super::ids::{check_entry_id, first_index_by_id};
use super::Report;

pub(super) fn check_groups(groups: &[Group], report: &mut Report) {
    let first_with_id = first_index_by_id(groups.iter().map(|group| group.id.as_str()));
    for (index, group) in groups.iter().enumerate() {
        let prefix = format!("groups[{index}]");
        check_entry_id(
            &format!("{prefix}.id"),
            &group.id,
            index,
            &first_with_id,
            |first| format!("groups[{first}]"),
            report,
        );
        if group.name.trim().is_empty() {
            report.add(format!("{prefix}.name"), "must not be empty");
        }
        if let Some(parent) = &group.parent {
            check_group_reference(&format!("{prefix}.parent"), parent, &first_with_id, report);
        }
        check_phase_limits(
            &format!("{prefix}.max_current_per_phase_a"),
            &group.max_current_per_phase_a,
            report,
        );
    }
    check_group_cycles(groups, &first_with_id, report);
}

/// A reference to a group, from a group's parent or a device's group.
pub(super) fn check_group_reference(
    field: &str,
    group: &str,
    group_ids: &HashMap<&str, usize>,
    report: &mut Report,
) {
    if !group_ids.contains_key(group) {
        report.add(field, format!("there is no group \"{group}\""));
    }
}

/// A cycle is reported once, at the group of the cycle that comes first in the file.
fn check_group_cycles(groups: &[Group], first_with_id: &HashMap<&str, usize>, report: &mut Report) {
    for start in 0..groups.len() {
        let mut chain = vec![start];
        let mut current = start;
        while let Some(parent) = groups[current]
            .parent
            .as_deref()
            .and_then(|parent| first_with_id.get(parent).copied())
        {
            if parent == start {
                if chain.iter().min() == Some(&start) {
                    let mut names: Vec<&str> =
                        chain.iter().map(|&i| groups[i].id.as_str()).collect();
                    names.push(groups[start].id.as_str());
                    report.add(
                        format!("groups[{start}].parent"),
                        format!("groups form a cycle: {}", names.join(" -> ")),
                    );
                }
                break;
            }
            if chain.contains(&parent) {
                // A cycle further up that does not include `start`; it is reported at its own group.
                break;
            }
            chain.push(parent);
            current = parent;
        }
    }
}
