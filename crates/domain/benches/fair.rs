//! The Open FAIR benchmark on testdata/bench/fair_workload.json: the portfolio
//! (1,000 scenarios × 10,000 iterations) and the single scenario (1,000,000
//! iterations), with the engine on all cores and on one thread, against a minimal
//! single-threaded loop of the same model (a Beta draw per input with rand_distr's
//! standard sampler) — the "plain loop" the engine must at least match.
//!
//! Run: `cargo bench -p isms-domain --bench fair`

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark reports on the terminal"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use isms_domain::fair::rng::Stream;
use isms_domain::fair::workload::{Section, parse};
use isms_domain::fair::{Estimate, Frequency, Settings, simulate_portfolio};
use rand_distr::Distribution;

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The minimal loop: Vose PERT by rand_distr's Beta, ALE = TEF·V·(PL + SLEF·SLEM), sum.
fn plain_loop(section: &Section) -> f64 {
    let beta = |e: &Estimate| match *e {
        Estimate::Pert { low, mode, high } => {
            let r = high - low;
            (low, r, rand_distr::Beta::new(1.0 + 4.0 * (mode - low) / r, 1.0 + 4.0 * (high - mode) / r).unwrap())
        }
        _ => unreachable!("the workload is all PERT"),
    };
    let mut total = 0.0;
    for (i, s) in section.scenarios.iter().enumerate() {
        let Frequency::Vulnerability { tef, vuln } = &s.frequency else { unreachable!() };
        let d = [beta(tef), beta(vuln), beta(&s.pl), beta(&s.slef), beta(&s.slem)];
        let mut rng = Stream::new(section.seed, i as u64, 0);
        let mut draw = |k: usize| d[k].0 + d[k].1 * d[k].2.sample(&mut rng);
        for _ in 0..section.iterations {
            let (tef, v, pl, slef, slem) = (draw(0), draw(1), draw(2), draw(3), draw(4));
            total += tef * v * (pl + slef * slem);
        }
    }
    total
}

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/bench/fair_workload.json");
    let text = std::fs::read_to_string(path).expect("testdata/bench/fair_workload.json in the repository");
    let sections = parse(&text).expect("the workload parses");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for section in &sections {
        let settings = Settings { iterations: section.iterations, seed: section.seed, ..Settings::default() };
        let samples = section.iterations as f64 * section.scenarios.len() as f64;
        let all = best_of(3, || {
            black_box(simulate_portfolio(&section.scenarios, &settings));
        });
        let one_pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let one = best_of(3, || {
            one_pool.install(|| black_box(simulate_portfolio(&section.scenarios, &settings)));
        });
        let plain = best_of(2, || {
            black_box(plain_loop(section));
        });
        let rate = |d: Duration| (section.scenarios.len() as f64 / d.as_secs_f64(), samples / d.as_secs_f64() / 1e6);
        println!("{} ({} scenario(s) × {} iterations):", section.name, section.scenarios.len(), section.iterations);
        for (label, d) in [
            (format!("engine, {cores} threads"), all),
            ("engine, 1 thread".to_owned(), one),
            ("plain loop, 1 thread".to_owned(), plain),
        ] {
            let (sps, msps) = rate(d);
            println!("  {label:<22} {:>8.3} s  {sps:>10.0} scenarios/s  {msps:>7.1} M samples/s", d.as_secs_f64());
        }
        println!("  engine (1 thread) is {:.2}× the plain loop's speed", plain.as_secs_f64() / one.as_secs_f64());
    }
}
