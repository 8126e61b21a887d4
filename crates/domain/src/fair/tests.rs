//! Engine tests against closed-form answers, convergence, and reproducibility.

use super::*;

fn pert(low: f64, mode: f64, high: f64) -> Estimate {
    Estimate::Pert { low, mode, high }
}

fn anchor() -> Scenario {
    Scenario {
        id: "A-ransomware-erp".into(),
        frequency: Frequency::Vulnerability { tef: pert(0.5, 2.0, 8.0), vuln: pert(0.2, 0.45, 0.8) },
        pl: pert(50_000.0, 250_000.0, 2_000_000.0),
        slef: pert(0.1, 0.3, 0.7),
        slem: pert(100_000.0, 500_000.0, 10_000_000.0),
    }
}

#[test]
fn constant_inputs_give_the_exact_loss_every_year() {
    let c = |v| Estimate::Constant { value: v };
    let s = Scenario {
        id: "c".into(),
        frequency: Frequency::Vulnerability { tef: c(4.0), vuln: c(0.5) },
        pl: c(1000.0),
        slef: c(0.25),
        slem: c(400.0),
    };
    let (r, _) = simulate(&s, &Settings { iterations: 1000, ..Settings::default() }, 0);
    assert_eq!((r.summary.min, r.summary.max, r.summary.mean), (2200.0, 2200.0, 2200.0));
    assert_eq!(s.analytic_mean(), Some(2200.0));
}

#[test]
fn the_mean_converges_to_the_analytic_mean_in_every_form() {
    let s = anchor();
    let exact = s.analytic_mean().unwrap();
    assert!((exact - 1_515_046.296).abs() < 1.0, "{exact}");
    for pert in [PertForm::Classic, PertForm::Vose] {
        for secondary in [SecondaryForm::Product, SecondaryForm::Bernoulli] {
            for poisson in [false, true] {
                let settings = Settings { iterations: 400_000, seed: 11, pert, secondary, poisson };
                let (r, _) = simulate(&s, &settings, 0);
                let se = r.summary.sd / (settings.iterations as f64).sqrt();
                assert!(
                    (r.summary.mean - exact).abs() < 4.0 * se,
                    "{pert:?}/{secondary:?}/poisson {poisson}: {} vs {exact} (se {se})",
                    r.summary.mean
                );
            }
        }
    }
}

#[test]
fn the_same_seed_gives_bit_identical_results_on_one_thread_and_many() {
    let scenarios: Vec<Scenario> = (0..40).map(|i| Scenario { id: format!("S{i}"), ..anchor() }).collect();
    let settings = Settings { iterations: 5_000, seed: 9, ..Settings::default() };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| simulate_portfolio(&scenarios, &settings));
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap()
        .install(|| simulate_portfolio(&scenarios, &settings));
    assert_eq!(one.aggregate, many.aggregate);
    assert_eq!(one.scenarios, many.scenarios);
    assert!(one.aggregate_samples.iter().zip(&many.aggregate_samples).all(|(a, b)| a.to_bits() == b.to_bits()));
    let long = Settings { iterations: 200_000, ..settings };
    let a = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| simulate(&anchor(), &long, 0).0);
    let b = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(|| simulate(&anchor(), &long, 0).0);
    assert_eq!(a, b);
}

#[test]
fn percentiles_are_stable_across_seeds() {
    let p90: Vec<f64> = (1..=4)
        .map(|seed| {
            simulate(&anchor(), &Settings { iterations: 200_000, seed, ..Settings::default() }, 0).0.summary.p90
        })
        .collect();
    let mid = p90.iter().sum::<f64>() / p90.len() as f64;
    assert!(p90.iter().all(|p| (p / mid - 1.0).abs() < 0.02), "{p90:?}");
}

#[test]
fn bad_estimates_name_the_scenario_and_field() {
    let mut s = anchor();
    s.frequency = Frequency::Vulnerability { tef: pert(-1.0, 2.0, 3.0), vuln: pert(0.2, 0.5, 1.4) };
    let problems: Vec<String> = s.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2);
    assert!(problems[0].starts_with("scenario A-ransomware-erp, tef: low (-1) is negative"), "{problems:?}");
    assert!(problems[1].starts_with("scenario A-ransomware-erp, vuln: high (1.4) is above 1"), "{problems:?}");
}

#[test]
fn poisson_counts_have_mean_and_variance_lambda() {
    for lambda in [0.7, 4.0, 45.0] {
        let mut rng = rng::Stream::new(5, 0, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| f64::from(model::poisson(lambda, &mut rng))).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean / lambda - 1.0).abs() < 0.02, "λ={lambda}: mean {mean}");
        assert!((var / lambda - 1.0).abs() < 0.04, "λ={lambda}: var {var}");
    }
}

/// The benchmark workload's named portfolio scenarios (testdata/bench).
fn workload_named() -> (Vec<Scenario>, Vec<f64>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/bench/fair_workload.json");
    let text = std::fs::read_to_string(path).expect("testdata/bench/fair_workload.json");
    let sections = workload::parse(&text).expect("the workload parses");
    let portfolio = sections.iter().find(|s| s.name == "portfolio").expect("a portfolio section");
    let mut scenarios = Vec::new();
    let mut means = Vec::new();
    for (s, m) in portfolio.scenarios.iter().zip(&portfolio.analytic_means) {
        if portfolio.named.contains(&s.id) {
            scenarios.push(s.clone());
            means.push(m.expect("named scenarios carry analytic means"));
        }
    }
    (scenarios, means)
}

#[test]
fn the_named_workload_scenarios_converge_to_their_analytic_means() {
    let (scenarios, means) = workload_named();
    assert_eq!(scenarios.len(), 6);
    for pert in [PertForm::Classic, PertForm::Vose] {
        for secondary in [SecondaryForm::Product, SecondaryForm::Bernoulli] {
            let settings = Settings { iterations: 40_000, seed: 2, pert, secondary, poisson: false };
            for (i, (s, exact)) in scenarios.iter().zip(&means).enumerate() {
                let (r, _) = simulate(s, &settings, i as u64);
                let se = r.summary.sd / (settings.iterations as f64).sqrt();
                assert!(
                    (r.summary.mean - exact).abs() < 4.5 * se,
                    "{} {pert:?}/{secondary:?}: {} vs {exact} (se {se})",
                    s.id,
                    r.summary.mean
                );
            }
        }
    }
}

#[test]
fn the_named_workload_percentiles_are_stable_across_seeds() {
    let (scenarios, _) = workload_named();
    for (i, s) in scenarios.iter().enumerate() {
        let runs: Vec<Summary> = (10..13)
            .map(|seed| simulate(s, &Settings { iterations: 40_000, seed, ..Settings::default() }, i as u64).0.summary)
            .collect();
        for pick in [|x: &Summary| x.p50, |x: &Summary| x.p90, |x: &Summary| x.p95] {
            let values: Vec<f64> = runs.iter().map(pick).collect();
            let mid = values.iter().sum::<f64>() / values.len() as f64;
            assert!(values.iter().all(|v| (v / mid - 1.0).abs() < 0.04), "{}: {values:?}", s.id);
        }
    }
}

#[test]
fn each_scenario_s_curve_is_drawn_only_when_asked_for_and_changes_no_number() {
    let scenarios: Vec<Scenario> = (0..20).map(|i| Scenario { id: format!("S{i}"), ..anchor() }).collect();
    let settings = Settings { iterations: 2_000, seed: 3, ..Settings::default() };
    let plain = simulate_portfolio(&scenarios, &settings);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let drawn = simulate_portfolio_with_progress(&scenarios, &settings, &done, true);
    assert!(plain.scenarios.iter().all(|s| s.curve.is_empty()), "the workload command and the bench need no curves");
    assert!(drawn.scenarios.iter().all(|s| s.curve.len() == CURVE_POINTS));
    assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), 20);
    for (a, b) in plain.scenarios.iter().zip(&drawn.scenarios) {
        assert_eq!((&a.id, &a.summary), (&b.id, &b.summary));
    }
    assert_eq!(plain.aggregate, drawn.aggregate);
}
