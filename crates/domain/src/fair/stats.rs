//! Summaries of simulated annual losses: moments, percentiles, the probability of any
//! loss, and the loss exceedance curve.

use serde::{Deserialize, Serialize};

/// Statistics of a sample of annual losses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Share of years with any loss.
    pub p_any_loss: f64,
}

/// Summarises a sample (reorders it). Percentiles are order statistics at
/// `ceil(p·n) − 1` (nearest rank), found by selection rather than a full sort.
pub fn summarize(samples: &mut [f64]) -> Summary {
    let n = samples.len();
    if n == 0 {
        return Summary {
            mean: 0.0,
            sd: 0.0,
            min: 0.0,
            max: 0.0,
            p5: 0.0,
            p10: 0.0,
            p50: 0.0,
            p90: 0.0,
            p95: 0.0,
            p99: 0.0,
            p_any_loss: 0.0,
        };
    }
    let (mut sum, mut min, mut max, mut any) = (0.0, f64::INFINITY, f64::NEG_INFINITY, 0usize);
    for &x in samples.iter() {
        sum += x;
        min = min.min(x);
        max = max.max(x);
        any += usize::from(x > 0.0);
    }
    let mean = sum / n as f64;
    let var = samples.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n.max(2) - 1) as f64;
    let rank = |p: f64| ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
    // Select from the top percentile down, each time within the part still unordered.
    let ranks = [rank(0.05), rank(0.10), rank(0.50), rank(0.90), rank(0.95), rank(0.99)];
    let mut values = [0.0; 6];
    let mut upper = n;
    for i in (0..6).rev() {
        let r = ranks[i];
        let slice = &mut samples[..upper];
        let (_, v, _) = slice.select_nth_unstable_by(r, f64::total_cmp);
        values[i] = *v;
        upper = r + 1;
    }
    Summary {
        mean,
        sd: var.sqrt(),
        min,
        max,
        p5: values[0],
        p10: values[1],
        p50: values[2],
        p90: values[3],
        p95: values[4],
        p99: values[5],
        p_any_loss: any as f64 / n as f64,
    }
}

/// The loss exceedance curve: for each of `points` loss levels spread between 0 and the
/// largest loss, the share of years whose loss exceeds it. One pass over the samples
/// (each is counted under the highest level it exceeds), so a portfolio can afford one
/// curve per scenario.
pub fn exceedance_curve(samples: &[f64], points: usize) -> Vec<(f64, f64)> {
    let points = points.max(2);
    let n = samples.len().max(1) as f64;
    let max = samples.iter().copied().fold(0.0f64, f64::max);
    let level = |i: usize| max * i as f64 / (points - 1) as f64;
    // exceeds[k]: samples above exactly the levels 0..k.
    let mut exceeds = vec![0usize; points + 1];
    for &x in samples {
        let mut k =
            if max > 0.0 { ((x / max) * (points - 1) as f64).ceil().clamp(0.0, points as f64) as usize } else { 0 };
        while k > 0 && x <= level(k - 1) {
            k -= 1;
        }
        while k < points && x > level(k) {
            k += 1;
        }
        exceeds[k] += 1;
    }
    let mut above = samples.len();
    (0..points)
        .map(|i| {
            above -= exceeds[i];
            (level(i), above as f64 / n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_order_statistics() {
        let mut xs: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let s = summarize(&mut xs);
        assert_eq!((s.p5, s.p10, s.p50, s.p90, s.p95, s.p99), (5.0, 10.0, 50.0, 90.0, 95.0, 99.0));
        assert_eq!((s.min, s.max, s.mean), (1.0, 100.0, 50.5));
        assert_eq!(s.p_any_loss, 1.0);
    }

    #[test]
    fn the_exceedance_curve_falls_from_the_share_of_loss_years_to_zero() {
        let xs = [0.0, 0.0, 10.0, 20.0];
        let curve = exceedance_curve(&xs, 3);
        assert_eq!(curve, [(0.0, 0.5), (10.0, 0.25), (20.0, 0.0)]);
    }

    #[test]
    fn the_one_pass_curve_counts_as_sorting_would() {
        let xs: Vec<f64> = (0..5000).map(|i| f64::from((i * 7919) % 1013) * 1.37).collect();
        let mut sorted = xs.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        for points in [2, 3, 60, 1013] {
            for (loss, share) in exceedance_curve(&xs, points) {
                let above = sorted.len() - sorted.partition_point(|x| *x <= loss);
                assert_eq!(share, above as f64 / xs.len() as f64, "{points} points at {loss}");
            }
        }
        assert_eq!(exceedance_curve(&[0.0, 0.0], 3), [(0.0, 0.0), (0.0, 0.0), (0.0, 0.0)]);
        assert_eq!(exceedance_curve(&[], 2), [(0.0, 0.0), (0.0, 0.0)]);
    }
}
