//! Black-box product tests: the real `isms` binary, real databases, real HTTP.
//! One test binary for all of them (each extra binary is another link on 2 cores).

mod cli;
mod support;
