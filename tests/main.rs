//! Black-box product tests: the real `isms` binary, real databases, real HTTP.
//! One test binary for all of them (each extra binary is another link on 2 cores).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation should stop the test loudly"
)]

mod cli;
mod support;
