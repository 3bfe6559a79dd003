//! Arrays the schemas require to hold at least one item (`minItems: 1`).

use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize};

/// A `Vec` that is never empty, so a message built from it cannot break `minItems: 1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct NonEmptyVec<T>(Vec<T>);

/// An empty array where at least one item is required. The message starts with "too few items"
/// because the framing layer recognises that prefix and answers with an
/// OccurenceConstraintViolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too few items: the array must hold at least one item but is empty")]
pub struct TooFewItems;

impl<T> NonEmptyVec<T> {
    pub fn new(first: T) -> Self {
        Self(vec![first])
    }

    pub fn from_vec(items: Vec<T>) -> Result<Self, TooFewItems> {
        if items.is_empty() {
            Err(TooFewItems)
        } else {
            Ok(Self(items))
        }
    }

    pub fn push(&mut self, item: T) {
        self.0.push(item);
    }

    /// The first item, which always exists.
    pub fn first(&self) -> &T {
        &self.0[0]
    }

    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> Deref for NonEmptyVec<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> TryFrom<Vec<T>> for NonEmptyVec<T> {
    type Error = TooFewItems;

    fn try_from(items: Vec<T>) -> Result<Self, Self::Error> {
        Self::from_vec(items)
    }
}

impl<T> From<NonEmptyVec<T>> for Vec<T> {
    fn from(items: NonEmptyVec<T>) -> Self {
        items.0
    }
}

impl<T> IntoIterator for NonEmptyVec<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a NonEmptyVec<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NonEmptyVec<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        Self::from_vec(items).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_empty_array_with_recognisable_message() {
        let err = serde_json::from_str::<NonEmptyVec<u8>>("[]").unwrap_err();
        assert!(err.to_string().starts_with("too few items"), "{err}");
        assert_eq!(NonEmptyVec::<u8>::from_vec(Vec::new()), Err(TooFewItems));
    }

    #[test]
    fn round_trips_its_items() {
        let items: NonEmptyVec<u8> = serde_json::from_str("[1,2,3]").unwrap();
        assert_eq!(*items.first(), 1);
        assert_eq!(items.len(), 3);
        assert_eq!(serde_json::to_string(&items).unwrap(), "[1,2,3]");
    }
}
