//! The source of randomness use cases draw from.

use std::fmt;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Randomness for ids, salts and generated secrets.
pub trait Entropy: Send + Sync + fmt::Debug {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's cryptographically secure generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEntropy;

impl Entropy for SystemEntropy {
    #[expect(clippy::disallowed_methods, reason = "this is the one place that reads OS randomness")]
    fn fill(&self, buf: &mut [u8]) {
        if let Err(e) = getrandom::fill(buf) {
            // The OS generator failing is unrecoverable: continuing would mint
            // predictable salts and passwords.
            #[expect(clippy::panic, reason = "no safe way to continue without randomness")]
            {
                panic!("the operating system's random number generator failed: {e}");
            }
        }
    }
}

/// A deterministic stream (SHA-256 in counter mode over a seed), for tests and
/// reproducible demos. Never for production secrets.
#[derive(Debug)]
pub struct SeededEntropy {
    seed: [u8; 32],
    counter: Mutex<u64>,
}

impl SeededEntropy {
    /// A stream determined entirely by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed: Sha256::digest(seed.to_be_bytes()).into(), counter: Mutex::new(0) }
    }
}

impl Entropy for SeededEntropy {
    fn fill(&self, buf: &mut [u8]) {
        let mut counter = self.counter.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for chunk in buf.chunks_mut(32) {
            let block = Sha256::new().chain_update(self.seed).chain_update(counter.to_be_bytes()).finalize();
            *counter += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_streams_repeat_and_differ_by_seed() {
        let (a, b, c) = (SeededEntropy::new(1), SeededEntropy::new(1), SeededEntropy::new(2));
        let (mut x, mut y, mut z) = ([0u8; 40], [0u8; 40], [0u8; 40]);
        a.fill(&mut x);
        b.fill(&mut y);
        c.fill(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
        let mut next = [0u8; 40];
        a.fill(&mut next);
        assert_ne!(next, x, "the stream moves on");
    }
}
