//! The tree of fuses: the grid connection at the root, groups below it. Built once per call.
//!
//! A "constraint" is one fuse on one phase, numbered `node * 3 + phase`; a wallbox is subject to
//! the constraints of every node from its group up to the grid connection, on its counted phases.
//! Nodes are numbered in input order; wherever an order could show in the result, ids decide.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::input::GroupInput;
use super::phases::{PhaseAmps, PhaseSet};

/// Node 0: the grid connection.
pub(super) const SITE: usize = 0;

pub(super) struct Tree<'a> {
    /// Per node; `parent[SITE]` is unused.
    parent: Vec<usize>,
    /// Per node, empty for the site.
    ids: Vec<&'a str>,
    names: Vec<&'a str>,
    /// Per node; the site's entry is unused (the site budget is the caller's).
    limits: Vec<PhaseAmps>,
    by_id: HashMap<&'a str, usize, BuildHasherDefault<FxHasher>>,
    /// For every input group, its node (duplicate ids share one).
    node_of_input: Vec<usize>,
    /// Depth-first entry and exit numbers: node `d` is in the subtree of `n` exactly when
    /// `entry[n] <= entry[d] < exit[n]`, so a subtree's wallboxes, sorted by their node's entry
    /// number, form one contiguous run.
    entry: Vec<u32>,
    exit: Vec<u32>,
}

impl<'a> Tree<'a> {
    pub(super) fn build(groups: &'a [GroupInput]) -> Self {
        let nodes = groups.len() + 1;
        let mut tree = Tree {
            parent: Vec::new(),
            ids: starting_with("", nodes),
            names: starting_with("", nodes),
            limits: starting_with(PhaseAmps::ZERO, nodes),
            by_id: HashMap::with_capacity_and_hasher(groups.len(), Default::default()),
            node_of_input: Vec::with_capacity(groups.len()),
            entry: Vec::new(),
            exit: Vec::new(),
        };
        let mut parent_ids: Vec<Option<&'a str>> = starting_with(None, nodes);
        for group in groups {
            let node = *tree
                .by_id
                .entry(group.id.as_str())
                .or_insert(tree.ids.len());
            tree.node_of_input.push(node);
            if node < tree.ids.len() {
                // A duplicate id: merge so that the result does not depend on which came first.
                tree.limits[node] =
                    smaller_per_phase(tree.limits[node], group.max_current_per_phase_a);
                tree.names[node] = tree.names[node].min(group.name.as_str());
                parent_ids[node] = parent_ids[node].min(group.parent.as_deref());
                continue;
            }
            tree.ids.push(&group.id);
            tree.names.push(&group.name);
            tree.limits.push(group.max_current_per_phase_a);
            parent_ids.push(group.parent.as_deref());
        }
        tree.parent = parent_ids
            .iter()
            .map(|parent_id| parent_id.and_then(|id| tree.node_of(id)).unwrap_or(SITE))
            .collect();
        tree.cut_cycles();
        tree.number_depth_first();
        tree
    }

    /// The node of each input group, in input order.
    pub(super) fn input_nodes(&self) -> &[usize] {
        &self.node_of_input
    }

    pub(super) fn node_count(&self) -> usize {
        self.ids.len()
    }

    pub(super) fn node_of(&self, group_id: &str) -> Option<usize> {
        self.by_id.get(group_id).copied()
    }

    pub(super) fn id(&self, node: usize) -> &'a str {
        self.ids[node]
    }

    pub(super) fn name(&self, node: usize) -> &'a str {
        self.names[node]
    }

    pub(super) fn group_limit(&self, node: usize) -> PhaseAmps {
        self.limits[node]
    }

    pub(super) fn entry(&self, node: usize) -> u32 {
        self.entry[node]
    }

    pub(super) fn exit(&self, node: usize) -> u32 {
        self.exit[node]
    }

    /// The constraints on `phases` of `leaf` and of every node above it, nearest first.
    pub(super) fn constraints(&self, leaf: usize, phases: PhaseSet) -> Constraints<'_> {
        Constraints {
            parent: &self.parent,
            node: Some(leaf),
            phase: 0,
            phases,
        }
    }

    /// Where parents go round in a circle, the link from the cycle's first group (by id) to its
    /// parent is cut, so it hangs below the grid connection.
    fn cut_cycles(&mut self) {
        const UNSEEN: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![UNSEEN; self.parent.len()];
        let mut path = Vec::new();
        for start in 1..self.parent.len() {
            path.clear();
            let mut node = start;
            while node != SITE && state[node] == UNSEEN {
                state[node] = ON_PATH;
                path.push(node);
                node = self.parent[node];
            }
            if node != SITE && state[node] == ON_PATH {
                let cycle_start = path.iter().position(|&n| n == node).unwrap_or(0);
                if let Some(&first) = path[cycle_start..].iter().min_by_key(|&&n| self.ids[n]) {
                    self.parent[first] = SITE;
                }
            }
            for &n in &path {
                state[n] = DONE;
            }
        }
    }

    fn number_depth_first(&mut self) {
        let count = self.parent.len();
        // Children in node order, as a compact adjacency list.
        let mut child_start = vec![0usize; count + 1];
        for &parent in &self.parent[1..] {
            child_start[parent + 1] += 1;
        }
        for i in 0..count {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![0usize; count.saturating_sub(1)];
        for node in 1..count {
            let parent = self.parent[node];
            children[fill[parent]] = node;
            fill[parent] += 1;
        }

        self.entry = vec![0; count];
        self.exit = vec![0; count];
        let mut counter = 0u32;
        // (node, index of the next child to visit)
        let mut stack = vec![(SITE, child_start[SITE])];
        self.entry[SITE] = counter;
        counter += 1;
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            if next < child_start[node + 1] {
                top.1 += 1;
                let child = children[next];
                self.entry[child] = counter;
                counter += 1;
                stack.push((child, child_start[child]));
            } else {
                self.exit[node] = counter;
                stack.pop();
            }
        }
    }
}

/// A vector with room for every node, holding the site's entry.
fn starting_with<T>(site: T, nodes: usize) -> Vec<T> {
    let mut values = Vec::with_capacity(nodes);
    values.push(site);
    values
}

fn smaller_per_phase(a: PhaseAmps, b: PhaseAmps) -> PhaseAmps {
    // `min` would prefer a number over NaN; a NaN fuse limit must stay "nothing available".
    let pick = |x: f64, y: f64| if x.is_nan() || x < y { x } else { y };
    PhaseAmps::new(pick(a.l1, b.l1), pick(a.l2, b.l2), pick(a.l3, b.l3))
}

/// The constraints of every wallbox, worked out once per call because admission and filling
/// visit them several times each. Wallboxes on the same node and phases share one route.
pub(super) struct Routes {
    /// Per route, where its constraints start in `constraints` (and one past the last route).
    start: Vec<u32>,
    constraints: Vec<u32>,
    route_of: Vec<u32>,
}

impl Routes {
    pub(super) fn new(
        tree: &Tree<'_>,
        wallboxes: impl ExactSizeIterator<Item = (usize, PhaseSet)>,
    ) -> Self {
        const UNSET: u32 = u32::MAX;
        let mut known = vec![UNSET; tree.node_count() * 8];
        let mut routes = Routes {
            start: vec![0],
            constraints: Vec::new(),
            route_of: Vec::with_capacity(wallboxes.len()),
        };
        for (leaf, phases) in wallboxes {
            let key = leaf * 8 + usize::from(phases.bits());
            if known[key] == UNSET {
                known[key] = (routes.start.len() - 1) as u32;
                routes
                    .constraints
                    .extend(tree.constraints(leaf, phases).map(|c| c as u32));
                routes.start.push(routes.constraints.len() as u32);
            }
            routes.route_of.push(known[key]);
        }
        routes
    }

    /// Wallboxes with the same route count on the same constraints.
    pub(super) fn route(&self, wallbox: usize) -> usize {
        self.route_of[wallbox] as usize
    }

    pub(super) fn route_count(&self) -> usize {
        self.start.len() - 1
    }

    /// Nearest fuse first; per fuse, by phase.
    pub(super) fn of(&self, wallbox: usize) -> impl Iterator<Item = usize> + '_ {
        let route = self.route_of[wallbox] as usize;
        let range = self.start[route] as usize..self.start[route + 1] as usize;
        self.constraints[range].iter().map(|&c| c as usize)
    }
}

/// FxHash (from rustc): a multiply-rotate hash, several times faster than SipHash on short ids.
/// Safe here because the map is rebuilt each call from the configuration, never from peers'
/// input, so nobody can feed it collisions; and only looked up, never iterated.
#[derive(Default)]
pub(super) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(super) struct Constraints<'t> {
    parent: &'t [usize],
    node: Option<usize>,
    phase: usize,
    phases: PhaseSet,
}

impl Iterator for Constraints<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            let node = self.node?;
            while self.phase < 3 {
                let phase = self.phase;
                self.phase += 1;
                if self.phases.contains_index(phase) {
                    return Some(node * 3 + phase);
                }
            }
            self.phase = 0;
            self.node = (node != SITE).then(|| self.parent[node]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, parent: Option<&str>) -> GroupInput {
        GroupInput {
            id: id.into(),
            name: id.to_uppercase(),
            parent: parent.map(Into::into),
            max_current_per_phase_a: PhaseAmps::uniform(16.0),
        }
    }

    fn chain(tree: &Tree, id: &str) -> Vec<&'static str> {
        let leaf = tree.node_of(id).unwrap_or(SITE);
        let nodes: Vec<usize> = tree
            .constraints(leaf, PhaseSet::single(super::super::Phase::L1))
            .map(|c| c / 3)
            .collect();
        nodes
            .into_iter()
            .map(|n| if n == SITE { "site" } else { leak(tree.id(n)) })
            .collect()
    }

    fn leak(s: &str) -> &'static str {
        Box::leak(s.to_string().into_boxed_str())
    }

    #[test]
    fn chains_go_from_the_group_up_to_the_grid_connection() {
        let groups = vec![
            group("c", Some("b")),
            group("a", None),
            group("b", Some("a")),
        ];
        let tree = Tree::build(&groups);
        assert_eq!(chain(&tree, "c"), ["c", "b", "a", "site"]);
        assert_eq!(chain(&tree, "a"), ["a", "site"]);
        let all: Vec<usize> = tree.constraints(SITE, PhaseSet::ALL).collect();
        assert_eq!(all, [0, 1, 2]);
    }

    #[test]
    fn subtrees_are_contiguous_in_depth_first_numbers() {
        let groups = vec![
            group("a", None),
            group("a1", Some("a")),
            group("b", None),
            group("a2", Some("a")),
        ];
        let tree = Tree::build(&groups);
        let a = tree.node_of("a").unwrap_or(SITE);
        for inside in ["a1", "a2"] {
            let n = tree.node_of(inside).unwrap_or(SITE);
            assert!(tree.entry(a) <= tree.entry(n) && tree.entry(n) < tree.exit(a));
        }
        let b = tree.node_of("b").unwrap_or(SITE);
        assert!(!(tree.entry(a) <= tree.entry(b) && tree.entry(b) < tree.exit(a)));
        assert_eq!(tree.exit(SITE), 5);
    }

    #[test]
    fn cycles_and_unknown_parents_end_at_the_grid_connection() {
        let groups = vec![
            group("x", Some("y")),
            group("y", Some("z")),
            group("z", Some("x")),
            group("lost", Some("nowhere")),
            group("self", Some("self")),
        ];
        let tree = Tree::build(&groups);
        // The cycle is cut at its first group by id, "x".
        assert_eq!(chain(&tree, "z"), ["z", "x", "site"]);
        assert_eq!(chain(&tree, "y"), ["y", "z", "x", "site"]);
        assert_eq!(chain(&tree, "lost"), ["lost", "site"]);
        assert_eq!(chain(&tree, "self"), ["self", "site"]);
    }

    #[test]
    fn duplicate_ids_merge_to_the_smaller_limit_per_phase() {
        let mut first = group("g", None);
        first.max_current_per_phase_a = PhaseAmps::new(10.0, 20.0, 30.0);
        let mut second = group("g", None);
        second.max_current_per_phase_a = PhaseAmps::new(25.0, 5.0, 30.0);
        let groups = vec![first, second];
        let tree = Tree::build(&groups);
        assert_eq!(tree.node_count(), 2);
        assert_eq!(tree.group_limit(1), PhaseAmps::new(10.0, 5.0, 30.0));
    }
}
