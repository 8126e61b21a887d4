//! The `isms` command line, run as a user would.

mod api_writes;
mod audit;
mod browser;
mod certification;
mod config;
mod control_soa;
mod demo;
mod documents;
mod evidence;
mod fair;
mod faults;
mod framework;
mod init;
mod openapi;
mod pages;
mod registers;
mod risk;
mod role_matrix;
mod role_matrix_cli;
mod roles;
mod security;
mod serve;
mod sessions;
mod status;
mod tokens;
mod users;
