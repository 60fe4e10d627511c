//! Randomness as a dependency: a seedable source for chaos draws, the OS generator for secrets.

use std::sync::Mutex;

use rand::rngs::{OsRng, StdRng};
use rand::{Rng, SeedableRng, TryRngCore};

/// Draws that shape chaos (start instants, flaky seeds). Seeded, so a drill replays exactly.
#[derive(Debug)]
pub struct Draws {
    seed: u64,
    rng: Mutex<StdRng>,
}

impl Draws {
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// A seed from the OS, for production runs that need no replay.
    pub fn from_os() -> Self {
        Self::seeded(u64::from_le_bytes(secure_bytes::<8>()))
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn next_u64(&self) -> u64 {
        self.rng.lock().expect("draws lock").random()
    }

    /// A uniform draw in `low..high`; `low` when the range is empty.
    pub fn below(&self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        self.rng.lock().expect("draws lock").random_range(low..high)
    }
}

/// Bytes from the operating system's generator, for API keys and fix codes.
pub fn secure_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the OS random generator is unavailable");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws() {
        let a = Draws::seeded(7);
        let b = Draws::seeded(7);
        let xs: Vec<i64> = (0..5).map(|_| a.below(0, 1_000_000)).collect();
        let ys: Vec<i64> = (0..5).map(|_| b.below(0, 1_000_000)).collect();
        assert_eq!(xs, ys);
        assert_ne!(secure_bytes::<16>(), secure_bytes::<16>());
    }
}
