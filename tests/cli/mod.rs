//! The `isms` command line, run as a user would.

mod config;
mod demo;
mod framework;
mod init;
mod serve;
