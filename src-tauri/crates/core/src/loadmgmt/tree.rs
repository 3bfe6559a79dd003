//! The tree of fuses: the grid connection at the root, groups below it. Built when the groups'
//! ids or parents change, so an `Allocator` keeps it from call to call.
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

/// The structure follows from the groups' ids and parents alone; the limits and the names shown
/// are taken from the groups of each call (`refresh`), so a cached tree never shows stale ones.
pub(super) struct Tree {
    /// Per node; `parent[SITE]` is unused.
    parent: Vec<usize>,
    /// Per node, empty for the site.
    ids: Vec<String>,
    /// Per node, its place among the ids in order (equal ids, equal places): comparing these
    /// compares the ids.
    id_rank: Vec<u32>,
    /// Per input group, its parent as given: with the ids, what the structure was built from.
    input_parents: Vec<Option<String>>,
    /// Per node; the site's entry is unused (the site budget is the caller's). Set by `refresh`.
    limits: Vec<PhaseAmps>,
    /// Per node, the input group whose name is shown (the smallest of duplicates). Set by
    /// `refresh`; the site's entry is unused.
    label: Vec<usize>,
    by_id: HashMap<String, usize, BuildHasherDefault<FxHasher>>,
    /// For every input group, its node (duplicate ids share one).
    node_of_input: Vec<usize>,
    /// Depth-first entry and exit numbers: node `d` is in the subtree of `n` exactly when
    /// `entry[n] <= entry[d] < exit[n]`, so a subtree's wallboxes, sorted by their node's entry
    /// number, form one contiguous run.
    entry: Vec<u32>,
    exit: Vec<u32>,
    routes: Routes,
}

impl Tree {
    pub(super) fn build(groups: &[GroupInput]) -> Self {
        let nodes = groups.len() + 1;
        let mut tree = Tree {
            parent: Vec::new(),
            ids: starting_with(String::new(), nodes),
            id_rank: Vec::new(),
            input_parents: groups.iter().map(|g| g.parent.clone()).collect(),
            limits: Vec::new(),
            label: Vec::new(),
            by_id: HashMap::with_capacity_and_hasher(groups.len(), Default::default()),
            node_of_input: Vec::with_capacity(groups.len()),
            entry: Vec::new(),
            exit: Vec::new(),
            routes: Routes::default(),
        };
        let mut parent_ids: Vec<Option<&str>> = starting_with(None, nodes);
        for group in groups {
            let next = tree.ids.len();
            let node = *tree.by_id.entry(group.id.clone()).or_insert(next);
            tree.node_of_input.push(node);
            if node < next {
                // A duplicate id: merge so that the result does not depend on which came first.
                parent_ids[node] = parent_ids[node].min(group.parent.as_deref());
                continue;
            }
            tree.ids.push(group.id.clone());
            parent_ids.push(group.parent.as_deref());
        }
        tree.parent = parent_ids
            .iter()
            .map(|parent_id| parent_id.and_then(|id| tree.node_of(id)).unwrap_or(SITE))
            .collect();
        tree.cut_cycles();
        tree.number_depth_first();
        tree.rank_ids();
        tree.routes.reset(tree.node_count());
        tree.refresh(groups);
        tree
    }

    /// Whether this tree was built from groups with these ids and parents, in this order.
    pub(super) fn fits(&self, groups: &[GroupInput]) -> bool {
        groups.len() == self.node_of_input.len()
            && groups
                .iter()
                .zip(&self.node_of_input)
                .zip(&self.input_parents)
                .all(|((group, &node), parent)| {
                    same_text(group.id.as_bytes(), self.ids[node].as_bytes())
                        && match (&group.parent, parent) {
                            (Some(a), Some(b)) => same_text(a.as_bytes(), b.as_bytes()),
                            (a, b) => a.is_none() && b.is_none(),
                        }
                })
    }

    /// Takes the limits and names of `groups`, which must `fit`.
    pub(super) fn refresh(&mut self, groups: &[GroupInput]) {
        const UNSET: usize = usize::MAX;
        self.limits.clear();
        self.limits.resize(self.ids.len(), PhaseAmps::ZERO);
        self.label.clear();
        self.label.resize(self.ids.len(), UNSET);
        for (k, (group, &node)) in groups.iter().zip(&self.node_of_input).enumerate() {
            let label = self.label[node];
            if label == UNSET {
                self.limits[node] = group.max_current_per_phase_a;
                self.label[node] = k;
                continue;
            }
            // A duplicate id: merge so that the result does not depend on which came first.
            self.limits[node] = smaller_per_phase(self.limits[node], group.max_current_per_phase_a);
            if group.name < groups[label].name {
                self.label[node] = k;
            }
        }
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

    #[cfg(test)]
    pub(super) fn id(&self, node: usize) -> &str {
        &self.ids[node]
    }

    /// Orders nodes as their ids do.
    pub(super) fn id_rank(&self, node: usize) -> u32 {
        self.id_rank[node]
    }

    /// Whether `node` exists and has this id: cheaper than `node_of` when the node is a guess.
    pub(super) fn is_node_of(&self, node: usize, group_id: &str) -> bool {
        self.ids
            .get(node)
            .is_some_and(|id| same_text(id.as_bytes(), group_id.as_bytes()))
    }

    /// The input group whose id and name stand for `node` (not the site) in reasons and summaries.
    pub(super) fn label(&self, node: usize) -> usize {
        self.label[node]
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
    #[cfg(test)]
    pub(super) fn constraints(&self, leaf: usize, phases: PhaseSet) -> Constraints<'_> {
        Constraints {
            parent: &self.parent,
            node: Some(leaf),
            phase: 0,
            phases,
        }
    }

    /// The route of wallboxes on `leaf` counted on `phases`, worked out on first use.
    #[inline]
    pub(super) fn route(&mut self, leaf: usize, phases: PhaseSet) -> u32 {
        let key = leaf * 8 + usize::from(phases.bits());
        match self.routes.of_key[key] {
            Routes::UNSET => self.new_route(key, leaf, phases),
            known => known,
        }
    }

    #[cold]
    fn new_route(&mut self, key: usize, leaf: usize, phases: PhaseSet) -> u32 {
        let route = self.routes.count() as u32;
        let constraints = Constraints {
            parent: &self.parent,
            node: Some(leaf),
            phase: 0,
            phases,
        };
        self.routes
            .constraints
            .extend(constraints.map(|c| c as u32));
        self.routes.start.push(self.routes.constraints.len() as u32);
        self.routes.of_key[key] = route;
        route
    }

    pub(super) fn routes(&self) -> &Routes {
        &self.routes
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
                if let Some(&first) = path[cycle_start..].iter().min_by_key(|&&n| &self.ids[n]) {
                    self.parent[first] = SITE;
                }
            }
            for &n in &path {
                state[n] = DONE;
            }
        }
    }

    fn rank_ids(&mut self) {
        let mut by_id: Vec<usize> = (0..self.ids.len()).collect();
        by_id.sort_unstable_by_key(|&node| &self.ids[node]);
        self.id_rank = vec![0; self.ids.len()];
        let mut rank = 0;
        for k in 1..by_id.len() {
            if self.ids[by_id[k]] != self.ids[by_id[k - 1]] {
                rank += 1;
            }
            self.id_rank[by_id[k]] = rank;
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

/// `a == b`, without a call to `memcmp` for ids of 8 to 16 bytes: the first and the last eight
/// bytes then cover them all.
#[inline]
fn same_text(a: &[u8], b: &[u8]) -> bool {
    fn word(bytes: &[u8]) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        u64::from_ne_bytes(word)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        word(&a[..8]) == word(&b[..8]) && word(&a[n - 8..]) == word(&b[n - 8..])
    } else {
        a == b
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

/// The constraints of every route: admission and filling visit them several times per wallbox.
/// Wallboxes on the same node and phases share one route. Kept with the tree, so the routes of
/// one call serve the next.
#[derive(Default)]
pub(super) struct Routes {
    /// Per route, where its constraints start in `constraints` (and one past the last route).
    start: Vec<u32>,
    constraints: Vec<u32>,
    /// Per `node * 8 + phase bits`, its route or `UNSET`.
    of_key: Vec<u32>,
}

impl Routes {
    const UNSET: u32 = u32::MAX;

    fn reset(&mut self, node_count: usize) {
        self.start.clear();
        self.start.push(0);
        self.constraints.clear();
        self.of_key.clear();
        self.of_key.resize(node_count * 8, Self::UNSET);
    }

    pub(super) fn count(&self) -> usize {
        self.start.len() - 1
    }

    /// Nearest fuse first; per fuse, by phase.
    pub(super) fn of(&self, route: u32) -> &[u32] {
        let route = route as usize;
        &self.constraints[self.start[route] as usize..self.start[route + 1] as usize]
    }
}

/// FxHash (from rustc): a multiply-rotate hash, several times faster than SipHash on short ids.
/// Safe here because the map is built from the configuration, never from peers' input, so nobody
/// can feed it collisions; and only looked up, never iterated.
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
    fn id_ranks_order_nodes_as_their_ids() {
        let groups = vec![
            group("m", None),
            group("", None),
            group("b", Some("m")),
            group("z", None),
        ];
        let tree = Tree::build(&groups);
        for a in 0..tree.node_count() {
            for b in 0..tree.node_count() {
                assert_eq!(
                    tree.id_rank(a).cmp(&tree.id_rank(b)),
                    tree.id(a).cmp(tree.id(b)),
                    "{:?} {:?}",
                    tree.id(a),
                    tree.id(b)
                );
            }
        }
    }

    #[test]
    fn same_text_agrees_with_equality() {
        let texts = [
            "",
            "a",
            "b",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "bbcdefgh",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "abcdefghijklmno",
            "xbcdefghijklmnop",
            "abcdefghXjklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(same_text(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
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
