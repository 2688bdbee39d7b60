//! The sorted order of every data key of an inventory, computed once, so
//! that merging a host's layers sorts small integers instead of comparing
//! strings.
//!
//! The parser shares key names (`Arc<str>`): the few names that recur in
//! every data file point at one allocation. [`KeyOrder`] maps each distinct
//! key allocation to the rank of its text among all keys; equal texts in
//! different allocations get the same rank, so ranks order and deduplicate
//! exactly as the strings would.

use std::collections::HashMap;

use crate::layer::DataSet;

/// Key allocation (its address) to the rank of its text.
#[derive(Debug, Default)]
pub(crate) struct KeyOrder {
    rank: HashMap<usize, u32, foldhash::fast::RandomState>,
}

impl KeyOrder {
    /// Ranks every key of every set.
    pub fn new(sets: &[DataSet]) -> KeyOrder {
        let mut distinct: HashMap<usize, &str, foldhash::fast::RandomState> = HashMap::default();
        for set in sets {
            for key in set.table.keys() {
                distinct.entry(key.as_ptr() as usize).or_insert(key);
            }
        }
        let mut by_text: Vec<(&str, usize)> = distinct.into_iter().map(|(a, k)| (k, a)).collect();
        by_text.sort_unstable();
        let mut rank = HashMap::with_capacity_and_hasher(by_text.len(), Default::default());
        let mut r = 0u32;
        for (i, &(key, addr)) in by_text.iter().enumerate() {
            if i > 0 && by_text[i - 1].0 != key {
                r += 1;
            }
            rank.insert(addr, r);
        }
        KeyOrder { rank }
    }

    /// The rank of a key taken from one of the sets this order was made
    /// from (`None` for any other string).
    pub fn rank(&self, key: &str) -> Option<u32> {
        self.rank.get(&(key.as_ptr() as usize)).copied()
    }
}

#[cfg(test)]
mod tests {
    use crate::Inventory;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    /// Keys written in code are separate allocations with equal texts: the
    /// merge must still sort them as strings and let the highest layer win.
    #[test]
    fn merged_keys_sort_as_strings_and_the_highest_layer_wins() {
        let inv = Inventory::builder()
            .group("web", ["w1"])
            .global_data(table("b = 'global'\na = 'global'\n'é' = 1\nZ = 0"))
            .group_data("web", table("b = 'web'\nc = 'web'\naa = 2"))
            .host_data("w1", table("c = 'w1'\n'' = 'empty'"))
            .build()
            .unwrap();
        let data = inv.host("w1").unwrap().data();
        let got: Vec<(&str, String)> = data.iter().map(|(k, v)| (k, v.to_string())).collect();
        let want = [
            ("", "\"empty\""),
            ("Z", "0"),
            ("a", "\"global\""),
            ("aa", "2"),
            ("b", "\"web\""),
            ("c", "\"w1\""),
            ("é", "1"),
        ];
        let want: Vec<(&str, String)> = want.iter().map(|&(k, v)| (k, v.to_string())).collect();
        assert_eq!(got, want);
        assert_eq!(data.len(), 7);
    }
}
