//! The random stream of the simulation: xoshiro256++ seeded through SplitMix64.
//!
//! Written here (twenty lines) so results are bit-identical on every platform and
//! release: each stream is derived from the simulation seed, the scenario's position
//! and the block of iterations, never from a thread.

/// SplitMix64: turns any 64-bit value into a well-mixed one (seeding only).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ (Blackman and Vigna): fast, small, statistically strong.
#[derive(Debug, Clone)]
pub struct Stream {
    s: [u64; 4],
}

impl Stream {
    /// The stream for one (seed, scenario, block) triple.
    pub fn new(seed: u64, scenario: u64, block: u64) -> Self {
        let mut state = seed ^ scenario.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ block.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
        let s = [splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state)];
        Self { s }
    }

    /// The next 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[0].wrapping_add(self.s[3]).rotate_left(23).wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform number in the open interval (0, 1).
    #[inline(always)]
    pub fn open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
    }
}

/// The stream as a `rand_core` generator, so the Gamma and normal samplers of
/// `rand_distr` (Marsaglia–Tsang with a ziggurat normal) can draw from it.
impl rand_core::RngCore for Stream {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        Stream::next_u64(self)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = Stream::next_u64(self).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_repeat_and_differ_by_scenario_and_block() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut s = Stream::new(7, 1, 0);
                move |_| s.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut s = Stream::new(7, 1, 0);
                move |_| s.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..4)
            .map({
                let mut s = Stream::new(7, 2, 0);
                move |_| s.next_u64()
            })
            .collect();
        let d: Vec<u64> = (0..4)
            .map({
                let mut s = Stream::new(7, 1, 1);
                move |_| s.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn uniforms_stay_inside_the_open_interval_and_average_a_half() {
        let mut s = Stream::new(1, 0, 0);
        let n = 200_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = s.open01();
            assert!(u > 0.0 && u < 1.0);
            sum += u;
        }
        assert!((sum / n as f64 - 0.5).abs() < 0.005);
    }
}
