//! The three phases of the grid, currents per phase, and sets of phases a wallbox is counted on.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    L1,
    L2,
    L3,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::L1, Phase::L2, Phase::L3];

    /// 0, 1 or 2: the position in per-phase arrays.
    pub const fn index(self) -> usize {
        match self {
            Phase::L1 => 0,
            Phase::L2 => 1,
            Phase::L3 => 2,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Phase::L1 => "L1",
            Phase::L2 => "L2",
            Phase::L3 => "L3",
        }
    }

    pub(super) const fn from_index(index: usize) -> Phase {
        match index {
            0 => Phase::L1,
            1 => Phase::L2,
            _ => Phase::L3,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl From<crate::config::Phase> for Phase {
    fn from(phase: crate::config::Phase) -> Self {
        match phase {
            crate::config::Phase::L1 => Phase::L1,
            crate::config::Phase::L2 => Phase::L2,
            crate::config::Phase::L3 => Phase::L3,
        }
    }
}

/// A current on each phase, in amperes.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PhaseAmps {
    pub l1: f64,
    pub l2: f64,
    pub l3: f64,
}

impl PhaseAmps {
    pub const ZERO: PhaseAmps = PhaseAmps::uniform(0.0);

    pub const fn new(l1: f64, l2: f64, l3: f64) -> Self {
        Self { l1, l2, l3 }
    }

    pub const fn uniform(amperes: f64) -> Self {
        Self::new(amperes, amperes, amperes)
    }

    pub const fn from_array([l1, l2, l3]: [f64; 3]) -> Self {
        Self::new(l1, l2, l3)
    }

    pub const fn to_array(self) -> [f64; 3] {
        [self.l1, self.l2, self.l3]
    }

    pub const fn get(&self, phase: Phase) -> f64 {
        match phase {
            Phase::L1 => self.l1,
            Phase::L2 => self.l2,
            Phase::L3 => self.l3,
        }
    }

    /// The largest of the three; a non-number on any phase makes the answer NaN.
    pub fn max_phase(&self) -> f64 {
        if self.to_array().iter().any(|a| a.is_nan()) {
            return f64::NAN;
        }
        self.l1.max(self.l2).max(self.l3)
    }
}

impl From<crate::config::PhaseCurrents> for PhaseAmps {
    fn from(currents: crate::config::PhaseCurrents) -> Self {
        Self::new(currents.l1, currents.l2, currents.l3)
    }
}

/// The phases a wallbox's current is counted on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PhaseSet(u8);

impl PhaseSet {
    pub const EMPTY: PhaseSet = PhaseSet(0);
    pub const ALL: PhaseSet = PhaseSet(0b111);

    pub const fn single(phase: Phase) -> Self {
        PhaseSet(1 << phase.index())
    }

    pub const fn contains(self, phase: Phase) -> bool {
        self.0 & (1 << phase.index()) != 0
    }

    pub(super) const fn contains_index(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }

    /// Bit `i` for the phase with index `i`.
    pub(super) const fn bits(self) -> u8 {
        self.0
    }

    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Phase> {
        Phase::ALL
            .into_iter()
            .filter(move |phase| self.contains(*phase))
    }
}

impl fmt::Debug for PhaseSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for PhaseSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}
