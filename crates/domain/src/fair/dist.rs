//! Estimates as analysts give them (a constant, PERT, triangular, uniform, normal, or a
//! lognormal from a 90% confidence interval) and the samplers compiled from them.

use serde::{Deserialize, Serialize};

use super::rng::Stream;

/// How PERT's shape parameters are derived from (low, mode, high) with lambda 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PertForm {
    /// Mean (low + 4·mode + high)/6 and standard deviation (high − low)/6, matched by a
    /// Beta distribution (the form pyfair uses).
    Classic,
    /// alpha = 1 + 4(mode − low)/(high − low), beta = 1 + 4(high − mode)/(high − low)
    /// (the form pycrq and most commercial tools use).
    #[default]
    Vose,
}

/// An estimate of one FAIR factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Estimate {
    /// Always this value.
    Constant {
        /// The value.
        value: f64,
    },
    /// PERT(low, most likely, high).
    Pert {
        /// Minimum.
        low: f64,
        /// Most likely.
        mode: f64,
        /// Maximum.
        high: f64,
    },
    /// Triangular(low, most likely, high).
    Triangular {
        /// Minimum.
        low: f64,
        /// Most likely.
        mode: f64,
        /// Maximum.
        high: f64,
    },
    /// Uniform between low and high.
    Uniform {
        /// Minimum.
        low: f64,
        /// Maximum.
        high: f64,
    },
    /// Normal(mean, sd), truncated at zero for losses and frequencies.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Lognormal fitted to a 90% confidence interval: 5% below `low`, 5% above `high`.
    Lognormal {
        /// The 5th percentile.
        low: f64,
        /// The 95th percentile.
        high: f64,
    },
}

impl Estimate {
    /// The exact mean (PERT: (low + 4·mode + high)/6 in both forms).
    pub fn mean(&self) -> f64 {
        match *self {
            Estimate::Constant { value } => value,
            Estimate::Pert { low, mode, high } => (low + 4.0 * mode + high) / 6.0,
            Estimate::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Estimate::Uniform { low, high } => (low + high) / 2.0,
            Estimate::Normal { mean, .. } => mean,
            Estimate::Lognormal { low, high } => {
                let (mu, sigma) = lognormal_params(low, high);
                (mu + sigma * sigma / 2.0).exp()
            }
        }
    }

    /// What is wrong with the estimate, if anything. `probability` requires values in
    /// 0–1; every FAIR factor is non-negative.
    pub fn problem(&self, probability: bool) -> Option<String> {
        let finite = |v: f64| v.is_finite();
        let check_range = |low: f64, high: f64| -> Option<String> {
            if !finite(low) || !finite(high) {
                return Some("values must be finite numbers".into());
            }
            if low > high {
                return Some(format!("low ({low}) is greater than high ({high})"));
            }
            if low < 0.0 {
                return Some(format!("low ({low}) is negative; frequencies, probabilities and losses cannot be"));
            }
            if probability && high > 1.0 {
                return Some(format!("high ({high}) is above 1, but this is a probability (0–1)"));
            }
            None
        };
        match *self {
            Estimate::Constant { value } => check_range(value, value),
            Estimate::Pert { low, mode, high } | Estimate::Triangular { low, mode, high } => check_range(low, high).or_else(|| {
                (!finite(mode) || mode < low || mode > high).then(|| format!("the most likely value ({mode}) is outside low–high ({low}–{high})"))
            }),
            Estimate::Uniform { low, high } => check_range(low, high),
            Estimate::Normal { mean, sd } => {
                if !finite(mean) || !finite(sd) || sd < 0.0 {
                    Some("a normal estimate needs a finite mean and a non-negative sd".into())
                } else if mean < 0.0 {
                    Some(format!("the mean ({mean}) is negative"))
                } else if probability && mean > 1.0 {
                    Some(format!("the mean ({mean}) is above 1, but this is a probability (0–1)"))
                } else {
                    None
                }
            }
            Estimate::Lognormal { low, high } => {
                if !(finite(low) && finite(high) && low > 0.0 && high > low) {
                    Some(format!("a lognormal 90% interval needs 0 < low < high (got {low}–{high})"))
                } else if probability {
                    Some("a probability cannot be lognormal; use PERT, triangular or uniform".into())
                } else {
                    None
                }
            }
        }
    }

    /// The sampler for this estimate.
    pub fn sampler(&self, form: PertForm) -> Sampler {
        match *self {
            Estimate::Constant { value } => Sampler::Constant(value),
            Estimate::Pert { low, mode, high } => {
                if high <= low {
                    return Sampler::Constant(low);
                }
                let range = high - low;
                let (alpha, beta) = match form {
                    PertForm::Vose => (1.0 + 4.0 * (mode - low) / range, 1.0 + 4.0 * (high - mode) / range),
                    PertForm::Classic => {
                        let mu = ((low + 4.0 * mode + high) / 6.0 - low) / range;
                        let k = mu * (1.0 - mu) * 36.0 - 1.0;
                        (mu * k, (1.0 - mu) * k)
                    }
                };
                Sampler::Beta { low, range, beta: BetaSampler::new(alpha, beta) }
            }
            Estimate::Triangular { low, mode, high } => {
                if high <= low {
                    return Sampler::Constant(low);
                }
                Sampler::Triangular { low, high, split: (mode - low) / (high - low) }
            }
            Estimate::Uniform { low, high } => Sampler::Uniform { low, width: high - low },
            Estimate::Normal { mean, sd } => Sampler::Normal { mean, sd },
            Estimate::Lognormal { low, high } => {
                let (mu, sigma) = lognormal_params(low, high);
                Sampler::Lognormal { mu, sigma }
            }
        }
    }
}

/// z of the 95th percentile of the standard normal.
const Z95: f64 = 1.644_853_626_951_472_2;

/// (mu, sigma) of the lognormal whose 5th and 95th percentiles are `low` and `high`.
pub fn lognormal_params(low: f64, high: f64) -> (f64, f64) {
    let (a, b) = (low.ln(), high.ln());
    ((a + b) / 2.0, (b - a) / (2.0 * Z95))
}

/// A compiled estimate: everything that can be computed once is.
#[derive(Debug, Clone, Copy)]
pub enum Sampler {
    /// A constant.
    Constant(f64),
    /// low + range × Beta(alpha, beta).
    Beta {
        /// Minimum.
        low: f64,
        /// high − low.
        range: f64,
        /// The Beta sampler.
        beta: BetaSampler,
    },
    /// Triangular by inverse CDF.
    Triangular {
        /// Minimum.
        low: f64,
        /// Maximum.
        high: f64,
        /// (mode − low)/(high − low).
        split: f64,
    },
    /// Uniform.
    Uniform {
        /// Minimum.
        low: f64,
        /// high − low.
        width: f64,
    },
    /// Normal truncated at zero.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Lognormal.
    Lognormal {
        /// Mean of the log.
        mu: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
}

impl Sampler {
    /// Draws one value.
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match *self {
            Sampler::Constant(v) => v,
            Sampler::Beta { low, range, ref beta } => low + range * beta.sample(rng),
            Sampler::Triangular { low, high, split } => {
                let u = rng.open01();
                if u < split {
                    low + (u * split).sqrt() * (high - low)
                } else {
                    high - ((1.0 - u) * (1.0 - split)).sqrt() * (high - low)
                }
            }
            Sampler::Uniform { low, width } => low + width * rng.open01(),
            Sampler::Normal { mean, sd } => (mean + sd * standard_normal(rng)).max(0.0),
            Sampler::Lognormal { mu, sigma } => (mu + sigma * standard_normal(rng)).exp(),
        }
    }
}

/// A standard normal draw (Marsaglia's polar method, one value per call).
fn standard_normal(rng: &mut Stream) -> f64 {
    loop {
        let x = 2.0 * rng.open01() - 1.0;
        let y = 2.0 * rng.open01() - 1.0;
        let s = x * x + y * y;
        if s > 0.0 && s < 1.0 {
            return x * (-2.0 * s.ln() / s).sqrt();
        }
    }
}

/// Beta(alpha, beta) by Cheng's algorithms BB (both shapes above 1) and BC (otherwise),
/// with their constants computed once.
#[derive(Debug, Clone, Copy)]
pub struct BetaSampler {
    /// The smaller (BB) or larger (BC) shape, as Cheng names them `a` and `b`.
    a: f64,
    b: f64,
    alpha: f64,
    beta: f64,
    gamma: f64,
    k1: f64,
    k2: f64,
    /// True when the result must be mirrored (1 − x) because the shapes were swapped.
    swapped: bool,
    /// BB (true) or BC (false).
    bb: bool,
}

const LN4: f64 = 1.386_294_361_119_890_6;
const LN5_PLUS_1: f64 = 2.609_437_912_434_100_3;

impl BetaSampler {
    /// Prepares Beta(alpha, beta); both shapes must be positive.
    pub fn new(alpha: f64, beta: f64) -> Self {
        let (lo, hi) = if alpha <= beta { (alpha, beta) } else { (beta, alpha) };
        if lo > 1.0 {
            // BB: a = min, b = max.
            let s = lo + hi;
            let bb = ((s - 2.0) / (2.0 * lo * hi - s)).sqrt();
            Self { a: lo, b: hi, alpha: s, beta: bb, gamma: lo + 1.0 / bb, k1: 0.0, k2: 0.0, swapped: alpha > beta, bb: true }
        } else {
            // BC: a = max, b = min.
            let (a, b) = (hi, lo);
            let s = a + b;
            let beta_ = 1.0 / b;
            let delta = 1.0 + a - b;
            let k1 = delta * (0.013_888_9 + 0.041_666_7 * b) / (a * beta_ - 0.777_778);
            let k2 = 0.25 + (0.5 + 0.25 / delta) * b;
            Self { a, b, alpha: s, beta: beta_, gamma: 0.0, k1, k2, swapped: alpha < beta, bb: false }
        }
    }

    /// Draws one value in (0, 1).
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        let (a, b) = (self.a, self.b);
        let w = if self.bb {
            loop {
                let u1 = rng.open01();
                let u2 = rng.open01();
                let v = self.beta * (u1 / (1.0 - u1)).ln();
                let w = a * v.exp();
                let z = u1 * u1 * u2;
                let r = self.gamma * v - LN4;
                let s = a + r - w;
                if s + LN5_PLUS_1 >= 5.0 * z {
                    break w;
                }
                let t = z.ln();
                if s > t || r + self.alpha * (self.alpha / (b + w)).ln() >= t {
                    break w;
                }
            }
        } else {
            loop {
                let u1 = rng.open01();
                let u2 = rng.open01();
                let z;
                if u1 < 0.5 {
                    let y = u1 * u2;
                    z = u1 * y;
                    if 0.25 * u2 + z - y >= self.k1 {
                        continue;
                    }
                } else {
                    z = u1 * u1 * u2;
                    if z <= 0.25 {
                        let v = self.beta * (u1 / (1.0 - u1)).ln();
                        break a * v.exp();
                    }
                    if z >= self.k2 {
                        continue;
                    }
                }
                let v = self.beta * (u1 / (1.0 - u1)).ln();
                let w = a * v.exp();
                if self.alpha * ((self.alpha / (b + w)).ln() + v) - LN4 >= z.ln() {
                    break w;
                }
            }
        };
        let x = if w.is_infinite() { 1.0 } else { w / (b + w) };
        // BB yields Beta(a, b) with a the smaller shape; BC yields Beta(a, b) with a the
        // larger. Mirror when that is not the (alpha, beta) asked for.
        if self.swapped { 1.0 - x } else { x }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(sampler: &Sampler, n: usize) -> (f64, f64) {
        let mut rng = Stream::new(42, 0, 0);
        let (mut sum, mut sq) = (0.0, 0.0);
        for _ in 0..n {
            let x = sampler.sample(&mut rng);
            sum += x;
            sq += x * x;
        }
        let mean = sum / n as f64;
        (mean, (sq / n as f64 - mean * mean).sqrt())
    }

    #[test]
    fn beta_samples_have_the_right_mean_and_sd_for_all_shapes() {
        for (alpha, beta) in [(2.0, 5.0), (5.0, 2.0), (1.0, 5.0), (0.6667, 3.3333), (3.3333, 0.6667), (0.5, 0.5), (1.5, 1.5), (1.0, 1.0)] {
            let s = Sampler::Beta { low: 0.0, range: 1.0, beta: BetaSampler::new(alpha, beta) };
            let (mean, sd) = moments(&s, 400_000);
            let want_mean = alpha / (alpha + beta);
            let want_sd = (alpha * beta / ((alpha + beta).powi(2) * (alpha + beta + 1.0))).sqrt();
            assert!((mean - want_mean).abs() < 0.004, "Beta({alpha},{beta}): mean {mean} vs {want_mean}");
            assert!((sd - want_sd).abs() < 0.004, "Beta({alpha},{beta}): sd {sd} vs {want_sd}");
        }
    }

    #[test]
    fn pert_has_the_pert_mean_in_both_forms_and_the_classic_sd() {
        let e = Estimate::Pert { low: 10.0, mode: 20.0, high: 60.0 };
        for form in [PertForm::Classic, PertForm::Vose] {
            let (mean, sd) = moments(&e.sampler(form), 400_000);
            assert!((mean - e.mean()).abs() / e.mean() < 0.005, "{form:?}: {mean} vs {}", e.mean());
            if form == PertForm::Classic {
                assert!((sd - 50.0 / 6.0).abs() < 0.05, "classic sd {sd}");
            }
        }
    }

    #[test]
    fn lognormal_matches_its_90_percent_interval() {
        let e = Estimate::Lognormal { low: 10_000.0, high: 1_000_000.0 };
        let s = e.sampler(PertForm::Vose);
        let mut rng = Stream::new(3, 0, 0);
        let mut xs: Vec<f64> = (0..200_000).map(|_| s.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        let p5 = xs[10_000];
        let p95 = xs[190_000];
        assert!((p5 / 10_000.0 - 1.0).abs() < 0.03, "p5 {p5}");
        assert!((p95 / 1_000_000.0 - 1.0).abs() < 0.03, "p95 {p95}");
    }

    #[test]
    fn triangular_uniform_and_constant_have_their_means() {
        for e in [Estimate::Triangular { low: 1.0, mode: 2.0, high: 9.0 }, Estimate::Uniform { low: 3.0, high: 5.0 }, Estimate::Constant { value: 7.0 }] {
            let (mean, _) = moments(&e.sampler(PertForm::Vose), 200_000);
            assert!((mean - e.mean()).abs() / e.mean() < 0.01, "{e:?}: {mean}");
        }
    }

    #[test]
    fn bad_estimates_say_what_is_wrong() {
        assert_eq!(Estimate::Pert { low: 5.0, mode: 4.0, high: 3.0 }.problem(false).unwrap(), "low (5) is greater than high (3)");
        assert!(Estimate::Pert { low: 0.1, mode: 0.5, high: 1.5 }.problem(true).unwrap().contains("above 1"));
        assert!(Estimate::Uniform { low: -1.0, high: 2.0 }.problem(false).unwrap().contains("negative"));
        assert!(Estimate::Pert { low: 1.0, mode: 9.0, high: 5.0 }.problem(false).unwrap().contains("most likely"));
        assert_eq!(Estimate::Pert { low: 1.0, mode: 2.0, high: 5.0 }.problem(false), None);
    }
}
