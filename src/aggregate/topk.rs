//! A bounded counter of the most frequent strings (request paths, user agents): a variant of
//! the Space-Saving algorithm (Metwally, Agrawal, El Abbadi 2005) that merges like the
//! "mergeable summaries" of Agarwal et al. (2012).
//!
//! Paths and user agents are chosen by whoever sends the requests: there can be as many
//! distinct ones as lines. This counter keeps at most `2 × capacity` strings, each cut to
//! [`MAX_TEXT`] bytes, so its memory does not grow with the log. What it guarantees:
//!
//! - Every count it reports is an upper bound of the true count, and `count - error` a lower
//!   bound: `error` is 0 for an exact count.
//! - While a log (or the merge of several parts) has no more than `2 × capacity` distinct
//!   strings, nothing is ever dropped and every count is exact, whatever the order of the
//!   lines or the number of parts merged.
//! - A string that is not kept occurred at most `floor` times; any string more frequent than
//!   that is kept. `floor` stays at or below (total / capacity) (checked by property tests,
//!   merges included).
//!
//! How: a string seen for the first time enters with count `floor + n` and error `floor` (it
//! may have been seen up to `floor` times before, and dropped). When `2 × capacity` strings are
//! held, the least frequent half is dropped (among equal counts, the strings taken in first)
//! and `floor` rises to the largest count dropped.
//! Merging two counters adds the counts of each string, taking the other counter's `floor`
//! for a string it does not hold (count and error alike); the floors add up.
//!
//! The state is plain data (a map of counts and a number), so it can be stored and merged
//! again later.

use std::collections::HashMap;

use foldhash::fast::RandomState;

/// Longest string kept, in bytes; longer ones are cut at a character boundary and end in `…`.
pub const MAX_TEXT: usize = 256;

/// How many strings a [`TopK`] reports exactly in the common case (it holds up to twice this).
pub const DEFAULT_CAPACITY: usize = 2000;

/// The count of one string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    /// Occurrences, or an upper bound of them.
    pub count: u64,
    /// How much `count` may exceed the true number; 0 when exact.
    pub error: u64,
}

/// A string's count and when it was first held (among equal counts, the later one is kept:
/// a cheap, deterministic tie-break).
#[derive(Clone, Copy, Debug)]
struct Slot {
    count: Count,
    seq: u64,
}

/// The most frequent strings of a stream, in bounded memory (see the module docs).
#[derive(Clone, Debug)]
pub struct TopK {
    capacity: usize,
    counts: HashMap<Box<str>, Slot, RandomState>,
    /// A string not held occurred at most this often.
    floor: u64,
    /// The `seq` of the next string taken in.
    next_seq: u64,
}

impl Default for TopK {
    fn default() -> Self {
        TopK::new(DEFAULT_CAPACITY)
    }
}

/// `s` cut to [`MAX_TEXT`] bytes at a character boundary.
pub fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_TEXT {
        return s.into();
    }
    let mut end = MAX_TEXT - '…'.len_utf8();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end]).into()
}

impl TopK {
    pub fn new(capacity: usize) -> TopK {
        TopK {
            capacity: capacity.max(1),
            counts: HashMap::default(),
            floor: 0,
            next_seq: 0,
        }
    }

    /// Count `n` more occurrences of `item`.
    pub fn add(&mut self, item: &str, n: u64) {
        let item = clip(item);
        if let Some(c) = self.counts.get_mut(item.as_ref()) {
            c.count.count += n;
            return;
        }
        self.counts.insert(
            item.into(),
            Slot {
                count: Count {
                    count: self.floor + n,
                    error: self.floor,
                },
                seq: self.next_seq,
            },
        );
        self.next_seq += 1;
        self.prune();
    }

    /// Add the counts of `other` (another part of the same stream, or another stream).
    pub fn merge(&mut self, other: TopK) {
        let (mine, theirs) = (self.floor, other.floor);
        let mut counts = std::mem::take(&mut self.counts);
        // Strings only here may have been seen up to `theirs` times there.
        for s in counts.values_mut() {
            s.count.count += theirs;
            s.count.error += theirs;
        }
        let offset = self.next_seq;
        for (item, theirs_slot) in other.counts {
            let c = theirs_slot.count;
            match counts.get_mut(&item) {
                Some(m) => {
                    // Counted on both sides: undo the allowance given above.
                    m.count.count = m.count.count - theirs + c.count;
                    m.count.error = m.count.error - theirs + c.error;
                }
                None => {
                    counts.insert(
                        item,
                        Slot {
                            count: Count {
                                count: c.count + mine,
                                error: c.error + mine,
                            },
                            seq: offset + theirs_slot.seq,
                        },
                    );
                }
            }
        }
        self.counts = counts;
        self.floor = mine + theirs;
        self.next_seq = offset + other.next_seq;
        self.capacity = self.capacity.max(other.capacity);
        self.prune();
    }

    /// Drop the least frequent half once twice the capacity is held.
    fn prune(&mut self) {
        if self.counts.len() <= 2 * self.capacity {
            return;
        }
        // Linear time and in place: find the rank of the last string kept (ranks are distinct:
        // `seq` is), then drop everything below it.
        let mut ranks: Vec<(u64, u64)> = self
            .counts
            .values()
            .map(|s| (s.count.count, s.seq))
            .collect();
        let last = self.capacity - 1;
        let (_, &mut cut, _) = ranks.select_nth_unstable_by(last, |a, b| b.cmp(a));
        let mut floor = self.floor;
        self.counts.retain(|_, s| {
            let keep = (s.count.count, s.seq) >= cut;
            if !keep {
                floor = floor.max(s.count.count);
            }
            keep
        });
        self.floor = floor;
    }

    /// The `n` most frequent strings, most frequent first (ties by text).
    pub fn top(&self, n: usize) -> Vec<(&str, Count)> {
        let mut all: Vec<(&str, Count)> =
            self.counts.iter().map(|(k, s)| (&**k, s.count)).collect();
        all.sort_unstable_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all
    }

    /// A string not listed occurred at most this often (0: every string is listed).
    pub fn floor(&self) -> u64 {
        self.floor
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// How many strings it reports exactly in the common case (it holds up to twice this).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The arrival number the next new string gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Every string held, with its count and arrival number, in no particular order: the
    /// state to store, with [`floor`](Self::floor) and [`next_seq`](Self::next_seq).
    pub fn entries(&self) -> impl Iterator<Item = (&str, Count, u64)> {
        self.counts.iter().map(|(k, s)| (&**k, s.count, s.seq))
    }

    /// A counter from stored state (what [`entries`](Self::entries), [`floor`](Self::floor)
    /// and [`next_seq`](Self::next_seq) gave).
    pub fn from_entries(
        capacity: usize,
        floor: u64,
        next_seq: u64,
        entries: impl IntoIterator<Item = (String, Count, u64)>,
    ) -> TopK {
        let mut t = TopK::new(capacity);
        t.floor = floor;
        for (item, count, seq) in entries {
            t.next_seq = t.next_seq.max(seq + 1);
            t.counts.insert(item.into(), Slot { count, seq });
        }
        t.next_seq = t.next_seq.max(next_seq);
        t.prune();
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact(items: &[(String, u64)]) -> HashMap<String, u64> {
        let mut m = HashMap::new();
        for (s, n) in items {
            *m.entry(clip(s).into_owned()).or_insert(0) += n;
        }
        m
    }

    /// The guarantees of the module docs, for a counter built from `items`.
    fn check(t: &TopK, items: &[(String, u64)]) {
        let truth = exact(items);
        let total: u64 = items.iter().map(|(_, n)| n).sum();
        for (s, c) in t.top(usize::MAX) {
            let real = truth.get(s).copied().unwrap_or(0);
            assert!(c.count >= real, "{s}: {c:?} < {real}");
            assert!(c.count - c.error <= real, "{s}: {c:?} lower bound > {real}");
        }
        for (s, &real) in &truth {
            if !t.counts.contains_key(s.as_str()) {
                assert!(
                    real <= t.floor,
                    "{s} ({real}) dropped above the floor {}",
                    t.floor
                );
            }
        }
        assert!(
            t.floor <= total / t.capacity as u64,
            "floor {} of {total}",
            t.floor
        );
    }

    #[test]
    fn exact_while_it_fits() {
        let mut t = TopK::new(3);
        for (s, n) in [
            ("/a", 5),
            ("/b", 1),
            ("/a", 2),
            ("/c", 3),
            ("/d", 1),
            ("/e", 1),
        ] {
            t.add(s, n);
        }
        assert_eq!(t.floor(), 0);
        let top = t.top(2);
        assert_eq!(top[0], ("/a", Count { count: 7, error: 0 }));
        assert_eq!(top[1], ("/c", Count { count: 3, error: 0 }));
    }

    #[test]
    fn heavy_hitters_survive_a_flood_of_unique_strings() {
        let mut t = TopK::new(50);
        let mut items = Vec::new();
        for i in 0..20_000u64 {
            let s = if i % 10 == 0 {
                "/wp-login.php".to_string()
            } else if i % 25 == 0 {
                "/.env".to_string()
            } else {
                format!("/?cachebust={i}")
            };
            t.add(&s, 1);
            items.push((s, 1));
        }
        check(&t, &items);
        let top = t.top(2);
        assert_eq!(top[0].0, "/wp-login.php");
        assert_eq!(top[1].0, "/.env");
        assert!(t.counts.len() <= 100);
    }

    #[test]
    fn stored_state_gives_the_same_counter() {
        let mut t = TopK::new(5);
        for i in 0..40u64 {
            t.add(&format!("/p{}", i % 13), 1 + i % 3);
        }
        let copy = TopK::from_entries(
            t.capacity(),
            t.floor(),
            t.next_seq(),
            t.entries().map(|(s, c, q)| (s.to_string(), c, q)),
        );
        assert_eq!(copy.top(usize::MAX), t.top(usize::MAX));
        assert_eq!((copy.floor(), copy.next_seq()), (t.floor(), t.next_seq()));
        // And it goes on counting the same way.
        let (mut a, mut b) = (t, copy);
        for i in 0..30u64 {
            a.add(&format!("/q{}", i % 7), 1);
            b.add(&format!("/q{}", i % 7), 1);
        }
        assert_eq!(a.top(usize::MAX), b.top(usize::MAX));
    }

    #[test]
    fn long_strings_are_cut() {
        let mut t = TopK::new(4);
        let long = "é".repeat(400);
        t.add(&long, 1);
        let (s, _) = t.top(1)[0];
        assert!(s.len() <= MAX_TEXT && s.ends_with('…'), "{}", s.len());
        // The same long string counts on the same entry.
        t.add(&long, 1);
        assert_eq!(t.top(1)[0].1.count, 2);
    }

    proptest! {
        /// Any split of a stream into parts, merged in any grouping, keeps the guarantees; when
        /// nothing was dropped the merge equals one pass.
        #[test]
        fn merged_parts_keep_the_bounds(
            items in prop::collection::vec(("[a-p]{1,3}", 1u64..5), 0..1000),
            cuts in prop::collection::vec(0usize..1000, 0..6),
            capacity in 1usize..12,
        ) {
            let items: Vec<(String, u64)> = items;
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(items.len())).collect();
            bounds.push(0);
            bounds.push(items.len());
            bounds.sort_unstable();
            let mut merged = TopK::new(capacity);
            for w in bounds.windows(2) {
                let mut part = TopK::new(capacity);
                for (s, n) in &items[w[0]..w[1]] {
                    part.add(s, *n);
                }
                check(&part, &items[w[0]..w[1]]);
                merged.merge(part);
            }
            check(&merged, &items);
            let mut one = TopK::new(capacity);
            for (s, n) in &items {
                one.add(s, *n);
            }
            check(&one, &items);
            if merged.floor() == 0 && one.floor() == 0 {
                prop_assert_eq!(merged.top(usize::MAX), one.top(usize::MAX));
            }
        }
    }
}
