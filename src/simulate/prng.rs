//! A tiny deterministic pseudo-random generator (SplitMix64, Steele, Lea and
//! Flood 2014) so that `rota simulate --seed N` replays the same missed
//! backups and wrong disks on every machine and every run. Not for anything
//! that needs unpredictability.
//!
//! Kept hand-written on purpose (issue 19 replaced the other hand-written
//! pieces with crates): a seed is part of a saved simulation's meaning, and
//! `fastrand`/`rand` promise no stream across versions (`rand`'s `StdRng` says
//! so outright), so an update could change every `--seed` report and
//! snapshot. SplitMix64 is a fixed, published algorithm of a dozen lines.

/// SplitMix64: a 64-bit state advanced by a constant, then mixed.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)` with 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (0 never, 1 always).
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// An index below `n` (`n` > 0), without modulo bias worth mentioning
    /// for the handful of disks an office has.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_f64() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence() {
        // First outputs of the reference implementation for seed 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(rng.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn the_same_seed_gives_the_same_draws_and_chances_follow_p() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let draws: Vec<bool> = (0..10_000).map(|_| a.chance(0.03)).collect();
        assert_eq!(
            draws,
            (0..10_000).map(|_| b.chance(0.03)).collect::<Vec<_>>()
        );
        let hits = draws.iter().filter(|hit| **hit).count();
        assert!((200..400).contains(&hits), "{hits} hits of 3% in 10000");
        let mut c = SplitMix64::new(7);
        assert!((0..1000).all(|_| !c.chance(0.0)));
        assert!((0..1000).all(|_| c.chance(1.0)));
        assert!((0..1000).all(|_| c.below(5) < 5));
    }
}
