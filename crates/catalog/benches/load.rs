//! Start-up cost of the framework library: parsing every shipped framework and mapping
//! file, validating and indexing them. Target: under 50 ms (issue: framework library).
//!
//! Run: `cargo bench -p isms-catalog --bench load`

#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark reports on the terminal")]

use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let runs = 30;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut items = 0;
    let mut links = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let lib = match isms_catalog::load_shipped() {
            Ok(lib) => lib,
            Err(errors) => {
                eprintln!("the shipped library does not load: {errors:?}");
                std::process::exit(1);
            }
        };
        times.push(start.elapsed());
        items = lib.frameworks().iter().map(|f| f.items.len()).sum::<usize>();
        links = lib.mappings().iter().map(|m| m.links.len()).sum::<usize>();
        black_box(lib);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "load_shipped: {} frameworks' {items} items and {links} links; {runs} runs: min {:.2} ms, median {:.2} ms, max {:.2} ms",
        isms_catalog::SHIPPED_FRAMEWORKS.len(),
        ms(times[0]),
        ms(times[runs / 2]),
        ms(times[runs - 1])
    );
    if times[runs / 2] > Duration::from_millis(50) {
        eprintln!("median above the 50 ms target");
        std::process::exit(1);
    }
}
