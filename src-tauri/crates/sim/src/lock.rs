//! Locking the simulators' shared state.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// A panic while a simulator's state was locked leaves that state consistent enough to go on
/// simulating (every update is a plain field store), so a poisoned lock is simply taken over.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
