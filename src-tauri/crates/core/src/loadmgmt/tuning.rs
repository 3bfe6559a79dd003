//! How eagerly `allocate` switches and shifts current: the knobs that trade responsiveness for
//! calm, with the reasons for their defaults.

use super::phases::PhaseAmps;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// A wallbox that started charging is not paused for budget reasons before this much time has
    /// passed (it keeps its minimum current), unless the fuse would be overloaded: safety beats
    /// comfort. Default 60 s: many cars need 10–30 s to start charging after being offered current,
    /// and every switch wears the contactors of car and wallbox.
    pub min_on_time_ms: u64,
    /// A wallbox that was paused is not started again before this much time has passed. Default
    /// 60 s: together with the minimum on time, a car switches at most about once a minute, which
    /// cars tolerate and which still follows a household load that changes for minutes.
    pub min_off_time_ms: u64,
    /// A paused wallbox starts only when its minimum current plus this much fits; a charging one
    /// keeps charging while its minimum fits. Default 1 A: household loads jitter by a few hundred
    /// milliamperes, and without the gap a wallbox at the threshold would start and stop every tick.
    pub start_hysteresis_a: f64,
    /// When a charging car drew more than this much less than it was offered last tick, its offer
    /// is reduced to its draw plus `ramp_headroom_a` and the rest goes to others. Default 1 A:
    /// cars commonly draw a few tenths below the offer even when they take all they can.
    pub give_back_threshold_a: f64,
    /// Room left above a car's draw so it can ask for more, which it shows by drawing it. Default
    /// 2 A. Must be above `give_back_threshold_a`: then a car that keeps drawing the same stays
    /// reduced (offer − draw = headroom > threshold) instead of getting its full offer back every
    /// other tick, and a car that draws more than the threshold into the headroom gets its full
    /// share on the next tick.
    pub ramp_headroom_a: f64,
    /// A one-phase wallbox without a configured phase is counted on the one phase where it draws
    /// at least this much while drawing less on the other two. Default 1 A, well above the
    /// measurement noise of an idle wallbox.
    pub phase_detection_a: f64,
    pub meter_failure: MeterFailurePolicy,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            min_on_time_ms: 60_000,
            min_off_time_ms: 60_000,
            start_hysteresis_a: 1.0,
            give_back_threshold_a: 1.0,
            ramp_headroom_a: 2.0,
            phase_detection_a: 1.0,
            meter_failure: MeterFailurePolicy::PauseAll,
        }
    }
}

/// The budget while a configured grid meter gives no valid reading ("safe budget mode"). Every
/// wallbox that may charge then charges at exactly its minimum current or is paused, so the fuse
/// holds as long as the household draws no more than assumed. Wallboxes that cannot be changed
/// (unreachable) are still counted.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum MeterFailurePolicy {
    /// Assume the household takes the whole fuse limit: every wallbox is paused. The default,
    /// because without a meter no current is provably safe.
    #[default]
    PauseAll,
    /// Assume the household draws this much per phase (e.g. a configured fallback); wallboxes
    /// share the fuse limit minus reserve minus this, each at its minimum current.
    AssumeHouseholdLoad(PhaseAmps),
}
