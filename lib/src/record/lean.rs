//! Groups of fields that most records leave empty (a review, a
//! withdrawal, deploy links, an item's tracker link), kept boxed in
//! memory: 8 bytes when empty instead of the whole group in each of 100k
//! records. Reads see the group, empty when absent, through `Deref`; the
//! file, JSON and the record cache see it as it always was.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::Deref;

/// A group worth boxing: it has an empty value to show when absent.
pub trait Rare: Default + PartialEq + 'static {
    /// The empty group, shared (a `static` of each type).
    fn empty() -> &'static Self;
}

/// Makes each of these types (`Default`, `PartialEq`) a [`Rare`] group,
/// its empty value made once.
macro_rules! rare {
    ($($group:ty),+ $(,)?) => {
        $(impl $crate::record::lean::Rare for $group {
            fn empty() -> &'static $group {
                static EMPTY: std::sync::LazyLock<$group> = std::sync::LazyLock::new(Default::default);
                &EMPTY
            }
        })+
    };
}
pub(crate) use rare;

/// A rare group: `None` when empty, so an empty group is never boxed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lean<T: Rare>(Option<Box<T>>);

impl<T: Rare> Lean<T> {
    pub fn new(group: T) -> Lean<T> {
        Lean((group != *T::empty()).then(|| Box::new(group)))
    }

    /// Whether any field of the group is set.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The group itself (empty when absent).
    pub fn into_inner(self) -> T {
        self.0.map_or_else(T::default, |b| *b)
    }

    /// Changes the group in place; emptied, it is unboxed.
    pub fn edit(&mut self, change: impl FnOnce(&mut T)) {
        let mut group = std::mem::take(self).into_inner();
        change(&mut group);
        *self = Lean::new(group);
    }
}

impl<T: Rare> Default for Lean<T> {
    fn default() -> Lean<T> {
        Lean(None)
    }
}

impl<T: Rare> Deref for Lean<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_deref().unwrap_or_else(|| T::empty())
    }
}

impl<T: Rare> From<T> for Lean<T> {
    fn from(group: T) -> Lean<T> {
        Lean::new(group)
    }
}

impl<T: Rare + Serialize> Serialize for Lean<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de, T: Rare + Deserialize<'de>> Deserialize<'de> for Lean<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Lean::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Pair {
        a: Option<String>,
        b: bool,
    }

    rare!(Pair);

    #[test]
    fn an_empty_group_is_not_boxed_and_reads_as_empty() {
        let mut lean = Lean::new(Pair::default());
        assert!(!lean.is_set());
        assert_eq!(*lean, Pair::default());
        lean.edit(|p| p.b = true);
        assert!(lean.is_set() && lean.b);
        lean.edit(|p| p.b = false);
        assert!(!lean.is_set(), "emptied, unboxed");
        assert_eq!(std::mem::size_of::<Lean<Pair>>(), 8);
    }

    #[test]
    fn it_reads_and_writes_as_the_group_itself() {
        let set = Lean::new(Pair {
            a: Some("x".into()),
            b: true,
        });
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"{"a":"x","b":true}"#);
        let back: Lean<Pair> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set);
        let empty: Lean<Pair> = serde_json::from_str(r#"{"a":null,"b":false}"#).unwrap();
        assert!(!empty.is_set());
        let bytes = postcard::to_stdvec(&set).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&*set).unwrap());
        assert_eq!(postcard::from_bytes::<Lean<Pair>>(&bytes).unwrap(), set);
    }
}
