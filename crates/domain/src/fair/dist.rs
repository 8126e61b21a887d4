//! Estimates as analysts give them (a constant, PERT, triangular, uniform, normal, or a
//! lognormal from a 90% confidence interval) and the samplers compiled from them.

use serde::{Deserialize, Serialize};

use super::rng::Stream;

/// How PERT's shape parameters are derived from (low, mode, high) with lambda 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
            Estimate::Pert { low, mode, high } | Estimate::Triangular { low, mode, high } => check_range(low, high)
                .or_else(|| {
                    (!finite(mode) || mode < low || mode > high)
                        .then(|| format!("the most likely value ({mode}) is outside low–high ({low}–{high})"))
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

    /// Reads an estimate as analysts type it (the CLI's flags and the risk page's
    /// fields): `L,M,H` or `pert:L,M,H` (PERT), `tri:L,M,H`, `uniform:L,H`,
    /// `normal:MEAN,SD`, `lognormal:P5,P95`, or one number (a constant). Digits may be
    /// grouped with `_` or spaces; the error says what was wrong.
    pub fn parse(text: &str) -> Result<Estimate, String> {
        let text = text.trim();
        let (kind, rest) = text.split_once(':').map_or(("", text), |(k, r)| (k.trim(), r));
        let nums: Vec<f64> = rest
            .split(',')
            .map(|n| {
                let clean: String = n.chars().filter(|c| *c != '_' && !c.is_whitespace()).collect();
                clean.parse::<f64>().map_err(|_| format!("{text:?}: {:?} is not a number", n.trim()))
            })
            .collect::<Result<_, _>>()?;
        Ok(match (kind.to_ascii_lowercase().as_str(), &nums[..]) {
            ("" | "const", [v]) => Estimate::Constant { value: *v },
            ("" | "pert", [l, m, h]) => Estimate::Pert { low: *l, mode: *m, high: *h },
            ("tri", [l, m, h]) => Estimate::Triangular { low: *l, mode: *m, high: *h },
            ("uniform", [l, h]) => Estimate::Uniform { low: *l, high: *h },
            ("normal", [m, s]) => Estimate::Normal { mean: *m, sd: *s },
            ("lognormal", [l, h]) => Estimate::Lognormal { low: *l, high: *h },
            _ => {
                return Err(format!(
                    "{text:?}: use L,M,H (PERT), tri:L,M,H, uniform:L,H, normal:MEAN,SD, lognormal:P5,P95 or one number"
                ));
            }
        })
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

/// The text [`Estimate::parse`] reads back.
impl std::fmt::Display for Estimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Estimate::Constant { value } => write!(f, "{value}"),
            Estimate::Pert { low, mode, high } => write!(f, "{low},{mode},{high}"),
            Estimate::Triangular { low, mode, high } => write!(f, "tri:{low},{mode},{high}"),
            Estimate::Uniform { low, high } => write!(f, "uniform:{low},{high}"),
            Estimate::Normal { mean, sd } => write!(f, "normal:{mean},{sd}"),
            Estimate::Lognormal { low, high } => write!(f, "lognormal:{low},{high}"),
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
#[derive(Debug, Clone)]
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

/// Beta(alpha, beta), exactly, by one of two methods chosen once per estimate:
///
/// - both shapes at least 1 (every Vose PERT, most classic ones): rejection from a
///   piecewise-constant envelope over [`BINS`] equal bins, picked by an alias table,
///   with a squeeze (the smaller bin-edge density) that accepts nearly every draw
///   without evaluating the density. The density is unimodal, so each bin's larger
///   edge value — or the mode's value in the bin holding it — bounds it from above and
///   the smaller edge value from below. About two random words per draw.
/// - otherwise (a shape below 1 makes the density unbounded at an end): X/(X+Y) with
///   X ~ Gamma(alpha), Y ~ Gamma(beta) (Marsaglia–Tsang over a ziggurat normal).
#[derive(Debug, Clone)]
pub enum BetaSampler {
    /// Envelope rejection.
    Envelope(Box<Envelope>),
    /// Gamma ratio.
    Gammas {
        /// Gamma(alpha).
        x: rand_distr::Gamma<f64>,
        /// Gamma(beta).
        y: rand_distr::Gamma<f64>,
    },
}

/// Bins of the envelope (a power of two: the bin index is the top bits of a word).
pub const BINS: usize = 128;
const BIN_BITS: u32 = 7;

/// The envelope of one Beta density.
#[derive(Debug, Clone)]
pub struct Envelope {
    alpha_m1: f64,
    beta_m1: f64,
    /// Per bin: the upper bound, the lower bound (squeeze), the alias threshold (scaled
    /// to 2^32) and the alias bin.
    upper: [f64; BINS],
    lower: [f64; BINS],
    threshold: [u64; BINS],
    alias: [u8; BINS],
}

impl Envelope {
    fn density(&self, x: f64) -> f64 {
        let a = if self.alpha_m1 == 0.0 { 1.0 } else { x.powf(self.alpha_m1) };
        let b = if self.beta_m1 == 0.0 { 1.0 } else { (1.0 - x).powf(self.beta_m1) };
        a * b
    }

    fn new(alpha: f64, beta: f64) -> Self {
        let mut e = Envelope {
            alpha_m1: alpha - 1.0,
            beta_m1: beta - 1.0,
            upper: [0.0; BINS],
            lower: [0.0; BINS],
            threshold: [0; BINS],
            alias: [0; BINS],
        };
        let width = 1.0 / BINS as f64;
        let mode = if alpha + beta > 2.0 { (alpha - 1.0) / (alpha + beta - 2.0) } else { 0.5 };
        let mut left = e.density(0.0);
        for i in 0..BINS {
            let right = e.density((i + 1) as f64 * width);
            let (lo_x, hi_x) = (i as f64 * width, (i + 1) as f64 * width);
            let mut up = left.max(right);
            if mode > lo_x && mode < hi_x {
                up = up.max(e.density(mode));
            }
            // A hair above, so rounding in `density` can never poke through.
            e.upper[i] = up * (1.0 + 1e-12);
            e.lower[i] = left.min(right) * (1.0 - 1e-12);
            left = right;
        }
        // Vose's alias method over the bins' envelope areas.
        let total: f64 = e.upper.iter().sum();
        let mut scaled: Vec<f64> = e.upper.iter().map(|u| u * BINS as f64 / total).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..BINS).partition(|&i| scaled[i] < 1.0);
        let mut prob = [1.0f64; BINS];
        let mut alias = [0u8; BINS];
        for (i, a) in alias.iter_mut().enumerate() {
            *a = i as u8;
        }
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = scaled[s];
            alias[s] = l as u8;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for (t, p) in e.threshold.iter_mut().zip(prob) {
            *t = (p.clamp(0.0, 1.0) * 4_294_967_296.0) as u64;
        }
        e.alias = alias;
        e
    }

    #[inline(always)]
    fn sample(&self, rng: &mut Stream) -> f64 {
        const WIDTH: f64 = 1.0 / BINS as f64;
        loop {
            let w1 = rng.next_u64();
            let w2 = rng.next_u64();
            let pick = (w1 >> (64 - BIN_BITS)) as usize;
            let coin = (w1 >> 25) & 0xFFFF_FFFF;
            let bin = if coin < self.threshold[pick] { pick } else { usize::from(self.alias[pick]) };
            let within = ((w2 >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0);
            let x = (bin as f64 + within) * WIDTH;
            let height = ((w1 & 0x1FF_FFFF) as f64 + 0.5) * (1.0 / 33_554_432.0) * self.upper[bin];
            if height <= self.lower[bin] || height <= self.density(x) {
                return x;
            }
        }
    }
}

impl BetaSampler {
    /// Prepares Beta(alpha, beta); both shapes must be positive and finite.
    pub fn new(alpha: f64, beta: f64) -> Self {
        if alpha >= 1.0 && beta >= 1.0 && alpha.is_finite() && beta.is_finite() {
            return BetaSampler::Envelope(Box::new(Envelope::new(alpha, beta)));
        }
        let gamma = |shape: f64| {
            rand_distr::Gamma::new(shape.max(f64::MIN_POSITIVE), 1.0)
                .unwrap_or_else(|_| rand_distr::Gamma::new(1.0, 1.0).unwrap_or_else(|_| unreachable_gamma()))
        };
        BetaSampler::Gammas { x: gamma(alpha), y: gamma(beta) }
    }

    /// Draws one value in [0, 1].
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match self {
            BetaSampler::Envelope(e) => e.sample(rng),
            BetaSampler::Gammas { x, y } => {
                use rand_distr::Distribution;
                let x = x.sample(rng);
                let y = y.sample(rng);
                let total = x + y;
                if total > 0.0 { x / total } else { 0.5 }
            }
        }
    }
}

#[expect(clippy::panic, reason = "Gamma(1, 1) is always valid; this cannot be reached")]
fn unreachable_gamma() -> rand_distr::Gamma<f64> {
    panic!("Gamma(1, 1) rejected")
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
        for (alpha, beta) in
            [(2.0, 5.0), (5.0, 2.0), (1.0, 5.0), (0.6667, 3.3333), (3.3333, 0.6667), (0.5, 0.5), (1.5, 1.5), (1.0, 1.0)]
        {
            let s = Sampler::Beta { low: 0.0, range: 1.0, beta: BetaSampler::new(alpha, beta) };
            let (mean, sd) = moments(&s, 400_000);
            let want_mean = alpha / (alpha + beta);
            let want_sd = (alpha * beta / ((alpha + beta).powi(2) * (alpha + beta + 1.0))).sqrt();
            assert!((mean - want_mean).abs() < 0.004, "Beta({alpha},{beta}): mean {mean} vs {want_mean}");
            assert!((sd - want_sd).abs() < 0.004, "Beta({alpha},{beta}): sd {sd} vs {want_sd}");
        }
    }

    /// The exact CDF of Beta(a, b) at x by Simpson integration of the density.
    fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
        let f = |t: f64| {
            if t <= 0.0 || t >= 1.0 {
                if (t <= 0.0 && a == 1.0) || (t >= 1.0 && b == 1.0) { 1.0 } else { 0.0 }
            } else {
                t.powf(a - 1.0) * (1.0 - t).powf(b - 1.0)
            }
        };
        let integrate = |hi: f64| {
            let n = 20_000;
            let h = hi / n as f64;
            (0..=n)
                .map(|i| {
                    f(i as f64 * h)
                        * if i == 0 || i == n {
                            1.0
                        } else if i % 2 == 1 {
                            4.0
                        } else {
                            2.0
                        }
                })
                .sum::<f64>()
                * h
                / 3.0
        };
        integrate(x) / integrate(1.0)
    }

    #[test]
    fn envelope_beta_samples_follow_the_exact_distribution() {
        for (a, b) in [(2.3, 3.1), (1.0, 5.0), (4.5, 1.2), (1.0, 1.0), (3.0, 3.0)] {
            let s = BetaSampler::new(a, b);
            assert!(matches!(s, BetaSampler::Envelope(_)));
            let mut rng = Stream::new(17, 0, 0);
            let n = 400_000;
            let mut xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
            xs.sort_by(f64::total_cmp);
            for q in [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95] {
                let empirical = xs.partition_point(|v| *v <= q) as f64 / n as f64;
                let exact = beta_cdf(a, b, q);
                assert!((empirical - exact).abs() < 0.003, "Beta({a},{b}) at {q}: {empirical} vs {exact}");
            }
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
        for e in [
            Estimate::Triangular { low: 1.0, mode: 2.0, high: 9.0 },
            Estimate::Uniform { low: 3.0, high: 5.0 },
            Estimate::Constant { value: 7.0 },
        ] {
            let (mean, _) = moments(&e.sampler(PertForm::Vose), 200_000);
            assert!((mean - e.mean()).abs() / e.mean() < 0.01, "{e:?}: {mean}");
        }
    }

    #[test]
    fn bad_estimates_say_what_is_wrong() {
        assert_eq!(
            Estimate::Pert { low: 5.0, mode: 4.0, high: 3.0 }.problem(false).unwrap(),
            "low (5) is greater than high (3)"
        );
        assert!(Estimate::Pert { low: 0.1, mode: 0.5, high: 1.5 }.problem(true).unwrap().contains("above 1"));
        assert!(Estimate::Uniform { low: -1.0, high: 2.0 }.problem(false).unwrap().contains("negative"));
        assert!(Estimate::Pert { low: 1.0, mode: 9.0, high: 5.0 }.problem(false).unwrap().contains("most likely"));
        assert_eq!(Estimate::Pert { low: 1.0, mode: 2.0, high: 5.0 }.problem(false), None);
    }
}
