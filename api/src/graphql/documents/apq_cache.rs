//! Automatic persisted queries' registered texts, bounded in bytes.

use std::sync::Arc;

/// Registered query texts by hash, least recently used first out when the bytes run over.
pub(super) struct Cache {
    entries: lru::LruCache<String, Arc<str>>,
    bytes: usize,
    budget: usize,
}

impl Cache {
    pub(super) fn new(budget: usize) -> Self {
        Self {
            entries: lru::LruCache::unbounded(),
            bytes: 0,
            budget,
        }
    }

    fn cost(hash: &str, text: &str) -> usize {
        hash.len() + text.len()
    }

    pub(super) fn get(&mut self, hash: &str) -> Option<Arc<str>> {
        self.entries.get(hash).cloned()
    }

    pub(super) fn insert(&mut self, hash: String, text: &str) {
        let cost = Self::cost(&hash, text);
        if cost > self.budget || self.entries.contains(&hash) {
            return;
        }
        while self.bytes + cost > self.budget {
            match self.entries.pop_lru() {
                Some((old_hash, old_text)) => self.bytes -= Self::cost(&old_hash, &old_text),
                None => break,
            }
        }
        self.bytes += cost;
        self.entries.put(hash, Arc::from(text));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::{super::sha256_hex, *};

    #[test]
    fn the_cache_stays_within_its_bytes_and_drops_the_least_recently_used() {
        let mut cache = Cache::new(3 * (64 + 10));
        let texts: Vec<String> = (0..5).map(|i| format!("{{ field{i} }}")).collect();
        for text in &texts[..3] {
            cache.insert(sha256_hex(text), text);
        }
        assert_eq!(cache.len(), 3);
        cache.get(&sha256_hex(&texts[0]));
        cache.insert(sha256_hex(&texts[3]), &texts[3]);
        assert!(cache.bytes <= cache.budget);
        assert!(
            cache.get(&sha256_hex(&texts[0])).is_some(),
            "recently used stays"
        );
        assert!(
            cache.get(&sha256_hex(&texts[1])).is_none(),
            "least recently used goes"
        );
        let huge = "x".repeat(1000);
        cache.insert(sha256_hex(&huge), &huge);
        assert!(
            cache.get(&sha256_hex(&huge)).is_none(),
            "larger than the budget: not kept"
        );
    }
}
