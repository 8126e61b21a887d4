//! The effective configuration: defaults < config file < `ISMS_*` environment < flags.
//!
//! This is the only module that reads configuration files and the environment;
//! everything below receives typed values. Each setting remembers where it came from,
//! so messages and `isms config show` can say which file, variable or flag to fix.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Built in.
    Default,
    /// Computed from another setting (the database URL from the data directory).
    Derived(&'static str),
    /// The config file.
    File(PathBuf),
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
    /// The demo's own directory, used by `isms demo` and `serve --demo` when no
    /// location is configured.
    Demo,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::Derived(from) => write!(f, "derived from {from}"),
            Source::File(path) => write!(f, "config file {}", path.display()),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Demo => f.write_str("the demo's own directory"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

impl<T> Setting<T> {
    fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

/// How logs are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    /// Where isms keeps its SQLite database and files.
    pub data_dir: Setting<PathBuf>,
    /// The database; SQLite in the data directory unless set.
    pub database_url: Setting<String>,
    /// The address `isms serve` listens on.
    pub listen: Setting<SocketAddr>,
    /// The tracing filter (`info`, `isms=debug,sqlx=warn`, ...).
    pub log_level: Setting<String>,
    /// Log line format.
    pub log_format: Setting<LogFormat>,
    /// Most database connections per process.
    pub max_connections: Setting<u32>,
    /// How long `isms serve` waits for in-flight requests on shutdown.
    pub shutdown_grace: Setting<Duration>,
    /// How often `isms serve` runs the collectors whose checks are due (0: never).
    pub collect_every: Setting<Duration>,
    /// Where evidence files and uploaded documents are kept (`<data_dir>/blobs`
    /// unless set; replicas must share it).
    pub blob_dir: Setting<PathBuf>,
    /// An S3-compatible bucket for the blobs instead of `blob_dir` (replicas without a
    /// shared disk), with its keys.
    pub blob_store: Setting<Option<isms_blobs_s3::S3Settings>>,
    /// The largest upload accepted, in bytes.
    pub max_upload: Setting<u64>,
    /// The address people reach isms at (`https://isms.example`), for links in
    /// invitations and calendar addresses; unset, links use the request's host.
    pub public_url: Setting<Option<String>>,
    /// The reverse proxies whose `X-Forwarded-For` is believed (addresses and CIDR
    /// ranges; loopback unless set).
    pub trusted_proxies: Setting<isms_server::TrustedProxies>,
    /// `trusted_proxies` as it was written, for `isms config`.
    trusted_proxies_text: String,
}

impl Config {
    /// True when the user chose the data directory or the database (for `isms demo`,
    /// which otherwise uses a directory of its own).
    pub fn location_configured(&self) -> bool {
        self.data_dir.source != Source::Default || !matches!(self.database_url.source, Source::Derived(_))
    }

    /// The SQLite file in the data directory, when the database is the embedded default.
    pub fn default_sqlite_file(&self) -> Option<PathBuf> {
        matches!(self.database_url.source, Source::Derived(_)).then(|| self.data_dir.value.join(DATABASE_FILE))
    }

    /// Points the data directory (and the derived database) somewhere else.
    pub fn relocate(&mut self, dir: PathBuf, source: Source) {
        if matches!(self.database_url.source, Source::Derived(_)) {
            self.database_url = Setting::new(sqlite_url(&dir), Source::Derived("data_dir"));
        }
        if matches!(self.blob_dir.source, Source::Derived(_)) {
            self.blob_dir = Setting::new(dir.join("blobs"), Source::Derived("data_dir"));
        }
        self.data_dir = Setting::new(dir, source);
    }
}

/// The SQLite file name inside the data directory.
pub const DATABASE_FILE: &str = "isms.db";

fn sqlite_url(dir: &Path) -> String {
    isms_store_sql::sqlite_url_for_file(&dir.join(DATABASE_FILE))
}

/// Configuration given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--config`
    pub config: Option<PathBuf>,
    /// `--data-dir`
    pub data_dir: Option<PathBuf>,
    /// `--database-url`
    pub database_url: Option<String>,
    /// `--listen`
    pub listen: Option<String>,
    /// `--log-level`
    pub log_level: Option<String>,
    /// `--log-format`
    pub log_format: Option<String>,
}

/// What a config file may contain. Unknown keys are refused, so a typo is an error
/// rather than a silently ignored setting.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    database_url_file: Option<PathBuf>,
    listen: Option<String>,
    log_level: Option<String>,
    log_format: Option<String>,
    max_connections: Option<u32>,
    shutdown_grace_seconds: Option<u64>,
    collect_every_seconds: Option<u64>,
    blob_dir: Option<PathBuf>,
    blob_store: Option<String>,
    max_upload_mb: Option<u64>,
    public_url: Option<String>,
    trusted_proxies: Option<String>,
}

/// A configuration problem, naming the file, variable or flag to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The config file is not valid.
    #[error("config file {path}, line {line}, column {column}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A value is malformed.
    #[error("{origin} has {value:?}, which is not {expected}")]
    BadValue {
        /// Where it came from.
        origin: Source,
        /// The value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The blob store's address is not usable.
    #[error("{origin}: {reason}")]
    BlobStore {
        /// Where it came from.
        origin: Source,
        /// What is wrong.
        reason: String,
    },
    /// No home or data directory could be determined.
    #[error("cannot choose a data directory: neither XDG_DATA_HOME nor HOME is set; use --data-dir or ISMS_DATA_DIR")]
    NoDataDir,
}

/// The built-in defaults, documented in the README.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_LOG_LEVEL: &str = "info,sqlx=warn";
const DEFAULT_MAX_CONNECTIONS: u32 = 10;
const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How often `isms serve` runs the collectors whose checks are due, by default.
const DEFAULT_COLLECT_EVERY: Duration = Duration::from_secs(3600);

/// The base directory for per-user data (`$XDG_DATA_HOME` or `~/.local/share`).
fn user_data_base(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, ConfigError> {
    if let Some(xdg) = env("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg));
    }
    env("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| Path::new(&home).join(".local/share"))
        .ok_or(ConfigError::NoDataDir)
}

/// Where `isms demo` puts its workspace when no location is configured.
pub fn demo_data_dir(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, ConfigError> {
    Ok(user_data_base(env)?.join("isms-demo"))
}

/// Reads the process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn read_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable { path: path.to_owned(), reason: io_reason(&e) })
}

/// An I/O error as a short phrase ("no such file or directory").
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_lowercase().collect::<String>() + chars.as_str())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn parse_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = read_file(path)?;
    toml::from_str(&text).map_err(|e: toml::de::Error| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
        ConfigError::Invalid { path: path.to_owned(), line, column, reason: e.message().trim().to_owned() }
    })
}

/// Picks the highest-precedence value: flag, then environment, then file.
fn pick<T: Clone>(
    flag: Option<(&T, &'static str)>,
    env: Option<(T, &'static str)>,
    file: Option<(&T, &Path)>,
) -> Option<Setting<T>> {
    if let Some((v, name)) = flag {
        return Some(Setting::new(v.clone(), Source::Flag(name)));
    }
    if let Some((v, var)) = env {
        return Some(Setting::new(v, Source::Env(var)));
    }
    file.map(|(v, path)| Setting::new(v.clone(), Source::File(path.to_owned())))
}

fn parse_setting<T>(
    raw: Setting<String>,
    expected: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Setting<T>, ConfigError> {
    match parse(raw.value.trim()) {
        Some(v) => Ok(Setting::new(v, raw.source)),
        None => Err(ConfigError::BadValue { origin: raw.source, value: raw.value, expected }),
    }
}

impl Config {
    /// Builds the effective configuration from flags and an environment lookup.
    pub fn load(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &'static str| env(name).filter(|v| !v.is_empty()).map(|v| (v, name));
        let file_path =
            flags.config.clone().or_else(|| env("ISMS_CONFIG").filter(|v| !v.is_empty()).map(PathBuf::from));
        let file = file_path.as_deref().map(parse_file).transpose()?.unwrap_or_default();
        let fp = file_path.as_deref().unwrap_or(Path::new(""));
        let in_file = |v: Option<&String>| v.map(|v| (v.clone(), fp));

        let data_dir = match pick(
            flags.data_dir.as_ref().map(|v| (v, "--data-dir")),
            var("ISMS_DATA_DIR").map(|(v, n)| (PathBuf::from(v), n)),
            file.data_dir.as_ref().map(|v| (v, fp)),
        ) {
            Some(s) => s,
            None => Setting::new(user_data_base(env)?.join("isms"), Source::Default),
        };

        let url_from_file_var = match var("ISMS_DATABASE_URL_FILE") {
            Some((path, name)) => {
                Some((read_secret_file(Path::new(&path), Source::Env(name))?, "ISMS_DATABASE_URL_FILE"))
            }
            None => None,
        };
        let file_url = match (&file.database_url, &file.database_url_file) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(path)) => Some(read_secret_file(path, Source::File(fp.to_owned()))?),
            (None, None) => None,
        };
        let database_url = pick(
            flags.database_url.as_ref().map(|v| (v, "--database-url")),
            var("ISMS_DATABASE_URL").or(url_from_file_var),
            file_url.as_ref().map(|v| (v, fp)),
        )
        .unwrap_or_else(|| Setting::new(sqlite_url(&data_dir.value), Source::Derived("data_dir")));

        let listen_raw = pick(
            flags.listen.as_ref().map(|v| (v, "--listen")),
            var("ISMS_LISTEN"),
            in_file(file.listen.as_ref()).as_ref().map(|(v, p)| (v, *p)),
        )
        .unwrap_or_else(|| Setting::new(DEFAULT_LISTEN.to_owned(), Source::Default));
        let listen = parse_setting(listen_raw, "an address and port such as 127.0.0.1:8080", |s| s.parse().ok())?;

        let log_level = pick(
            flags.log_level.as_ref().map(|v| (v, "--log-level")),
            var("ISMS_LOG"),
            in_file(file.log_level.as_ref()).as_ref().map(|(v, p)| (v, *p)),
        )
        .unwrap_or_else(|| Setting::new(DEFAULT_LOG_LEVEL.to_owned(), Source::Default));

        let log_format_raw = pick(
            flags.log_format.as_ref().map(|v| (v, "--log-format")),
            var("ISMS_LOG_FORMAT"),
            in_file(file.log_format.as_ref()).as_ref().map(|(v, p)| (v, *p)),
        )
        .unwrap_or_else(|| Setting::new("text".to_owned(), Source::Default));
        let log_format = parse_setting(log_format_raw, "text or json", |s| match s {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            _ => None,
        })?;

        let max_raw = pick(
            None,
            var("ISMS_MAX_CONNECTIONS"),
            file.max_connections.map(|n| n.to_string()).as_ref().map(|v| (v, fp)),
        )
        .unwrap_or_else(|| Setting::new(DEFAULT_MAX_CONNECTIONS.to_string(), Source::Default));
        let max_connections = parse_setting(max_raw, "a number of connections from 1 to 1000", |s| {
            s.parse().ok().filter(|n| (1..=1000).contains(n))
        })?;

        let grace_raw = pick(
            None,
            var("ISMS_SHUTDOWN_GRACE_SECONDS"),
            file.shutdown_grace_seconds.map(|n| n.to_string()).as_ref().map(|v| (v, fp)),
        )
        .unwrap_or_else(|| Setting::new(DEFAULT_SHUTDOWN_GRACE.as_secs().to_string(), Source::Default));
        let shutdown_grace =
            parse_setting(grace_raw, "a number of seconds", |s| s.parse().ok().map(Duration::from_secs))?;

        let collect_raw = pick(
            None,
            var("ISMS_COLLECT_EVERY_SECONDS"),
            file.collect_every_seconds.map(|n| n.to_string()).as_ref().map(|v| (v, fp)),
        )
        .unwrap_or_else(|| Setting::new(DEFAULT_COLLECT_EVERY.as_secs().to_string(), Source::Default));
        let collect_every = parse_setting(collect_raw, "a number of seconds (0: no scheduled collection)", |s| {
            s.parse().ok().map(Duration::from_secs)
        })?;

        let blob_dir = pick(
            None,
            var("ISMS_BLOB_DIR").map(|(v, n)| (PathBuf::from(v), n)),
            file.blob_dir.as_ref().map(|v| (v, fp)),
        )
        .unwrap_or_else(|| Setting::new(data_dir.value.join("blobs"), Source::Derived("data_dir")));
        let blob_store = match pick(
            None,
            var("ISMS_BLOB_STORE"),
            in_file(file.blob_store.as_ref()).as_ref().map(|(v, p)| (v, *p)),
        ) {
            Some(raw) => {
                // The keys come from the environment only, never from the file or the address.
                let key = |ours: &str, aws: &str| {
                    env(ours).filter(|v| !v.is_empty()).or_else(|| env(aws)).unwrap_or_default()
                };
                let settings = isms_blobs_s3::S3Settings::parse(
                    raw.value.trim(),
                    &key("ISMS_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
                    &key("ISMS_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
                )
                .map_err(|reason| ConfigError::BlobStore { origin: raw.source.clone(), reason })?;
                Setting::new(Some(settings), raw.source)
            }
            None => Setting::new(None, Source::Default),
        };
        let upload_raw =
            pick(None, var("ISMS_MAX_UPLOAD_MB"), file.max_upload_mb.map(|n| n.to_string()).as_ref().map(|v| (v, fp)))
                .unwrap_or_else(|| Setting::new((isms_app::DEFAULT_MAX_UPLOAD >> 20).to_string(), Source::Default));
        let max_upload = parse_setting(upload_raw, "a number of megabytes from 1 to 1048576", |s| {
            s.parse::<u64>().ok().filter(|n| (1..=1 << 20).contains(n)).map(|n| n << 20)
        })?;

        let public_raw =
            pick(None, var("ISMS_PUBLIC_URL"), in_file(file.public_url.as_ref()).as_ref().map(|(v, p)| (v, *p)))
                .map(|s| Setting::new(s.value.trim().trim_end_matches('/').to_owned(), s.source));
        let public_url = match public_raw {
            Some(raw) => {
                parse_setting(raw, "an address such as https://isms.example (http or https, a host, no query)", |s| {
                    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"))?;
                    let host = rest.split('/').next().unwrap_or_default();
                    let ok = !host.is_empty()
                        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "?#\\\"<>".contains(c));
                    ok.then(|| Some(s.to_owned()))
                })?
            }
            None => Setting::new(None, Source::Default),
        };
        let proxies_raw = pick(
            None,
            var("ISMS_TRUSTED_PROXIES"),
            in_file(file.trusted_proxies.as_ref()).as_ref().map(|(v, p)| (v, *p)),
        )
        .unwrap_or_else(|| Setting::new("127.0.0.0/8, ::1".to_owned(), Source::Default));
        let trusted_proxies_text = proxies_raw.value.clone();
        let trusted_proxies = parse_setting(
            proxies_raw,
            "addresses and CIDR ranges separated by commas (10.0.0.0/8, 192.0.2.7), or none",
            |s| isms_server::TrustedProxies::parse(s).ok(),
        )?;

        Ok(Config {
            public_url,
            trusted_proxies,
            trusted_proxies_text,
            blob_dir,
            blob_store,
            max_upload,
            file: file_path,
            data_dir,
            database_url,
            listen,
            log_level,
            log_format,
            max_connections,
            shutdown_grace,
            collect_every,
        })
    }

    /// The settings as `(name, shown value, source)`, secrets masked.
    pub fn rows(&self) -> Vec<(&'static str, String, String)> {
        vec![
            ("data_dir", self.data_dir.value.display().to_string(), self.data_dir.source.to_string()),
            (
                "database_url",
                isms_store_sql::redact_url(&self.database_url.value),
                self.database_url.source.to_string(),
            ),
            ("listen", self.listen.value.to_string(), self.listen.source.to_string()),
            ("log_level", self.log_level.value.clone(), self.log_level.source.to_string()),
            (
                "log_format",
                match self.log_format.value {
                    LogFormat::Text => "text".to_owned(),
                    LogFormat::Json => "json".to_owned(),
                },
                self.log_format.source.to_string(),
            ),
            ("max_connections", self.max_connections.value.to_string(), self.max_connections.source.to_string()),
            (
                "shutdown_grace_seconds",
                self.shutdown_grace.value.as_secs().to_string(),
                self.shutdown_grace.source.to_string(),
            ),
            (
                "collect_every_seconds",
                self.collect_every.value.as_secs().to_string(),
                self.collect_every.source.to_string(),
            ),
            ("blob_dir", self.blob_dir.value.display().to_string(), self.blob_dir.source.to_string()),
            (
                "blob_store",
                self.blob_store.value.as_ref().map_or_else(
                    || "(the blob directory)".to_owned(),
                    |s| format!("s3://{}/{} ({})", s.bucket, s.prefix, s.endpoint.as_deref().unwrap_or("AWS")),
                ),
                self.blob_store.source.to_string(),
            ),
            ("max_upload_mb", (self.max_upload.value >> 20).to_string(), self.max_upload.source.to_string()),
            (
                "public_url",
                self.public_url.value.clone().unwrap_or_else(|| "(from each request's host)".to_owned()),
                self.public_url.source.to_string(),
            ),
            ("trusted_proxies", self.trusted_proxies_text.clone(), self.trusted_proxies.source.to_string()),
        ]
    }

    /// What `isms serve` tells the server.
    pub fn server_options(&self) -> isms_server::ServerOptions {
        isms_server::ServerOptions {
            public_url: self.public_url.value.clone(),
            trusted_proxies: self.trusted_proxies.value.clone(),
        }
    }

    /// Where links printed by the command line point: the public address, else the
    /// address `isms serve` listens on.
    pub fn link_base(&self) -> String {
        self.public_url.value.clone().unwrap_or_else(|| format!("http://{}", self.listen.value))
    }

    /// The settings as JSON, secrets masked.
    pub fn to_json(&self) -> serde_json::Value {
        let settings: BTreeMap<_, _> =
            self.rows().into_iter().map(|(k, v, s)| (k, serde_json::json!({ "value": v, "source": s }))).collect();
        serde_json::json!({ "config_file": self.file, "settings": settings })
    }
}

fn read_secret_file(path: &Path, source: Source) -> Result<String, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_owned()),
        Err(_) => Err(ConfigError::BadValue {
            origin: source,
            value: path.display().to_string(),
            expected: "a readable file holding the database URL",
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn defaults_put_everything_under_the_user_data_directory() {
        let c = Config::load(&Flags::default(), &env_of(&[("HOME", "/home/ann")])).unwrap();
        assert_eq!(c.data_dir.value, PathBuf::from("/home/ann/.local/share/isms"));
        assert_eq!(c.database_url.value, "sqlite:///home/ann/.local/share/isms/isms.db?mode=rwc");
        assert_eq!(c.database_url.source, Source::Derived("data_dir"));
        assert_eq!(c.listen.value.to_string(), DEFAULT_LISTEN);
        assert!(!c.location_configured());
    }

    #[test]
    fn flags_beat_environment_which_beats_the_file() {
        let f = file("listen = \"127.0.0.1:7000\"\ndata_dir = \"/from/file\"\nlog_level = \"debug\"\n");
        let env = env_of(&[("HOME", "/h"), ("ISMS_LISTEN", "127.0.0.1:7001"), ("ISMS_DATA_DIR", "/from/env")]);
        let flags =
            Flags { config: Some(f.path().to_owned()), listen: Some("127.0.0.1:7002".into()), ..Flags::default() };
        let c = Config::load(&flags, &env).unwrap();
        assert_eq!((c.listen.value.port(), c.listen.source.clone()), (7002, Source::Flag("--listen")));
        assert_eq!(
            (c.data_dir.value.clone(), c.data_dir.source.clone()),
            (PathBuf::from("/from/env"), Source::Env("ISMS_DATA_DIR"))
        );
        assert_eq!(c.log_level.value, "debug");
        assert_eq!(c.log_level.source, Source::File(f.path().to_owned()));
        assert!(c.location_configured());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused_with_line_and_column() {
        let f = file("listen = \"127.0.0.1:7000\"\nlisten_port = 8\n");
        let err =
            Config::load(&Flags { config: Some(f.path().to_owned()), ..Flags::default() }, &env_of(&[("HOME", "/h")]))
                .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(", line 2, column 1: unknown field `listen_port`"), "{text}");
    }

    #[test]
    fn a_missing_config_file_is_named() {
        let flags = Flags { config: Some("/nonexistent/isms.toml".into()), ..Flags::default() };
        let err = Config::load(&flags, &env_of(&[("HOME", "/h")])).unwrap_err();
        assert_eq!(err.to_string(), "cannot read config file /nonexistent/isms.toml: no such file or directory");
    }

    #[test]
    fn a_bad_value_names_its_source() {
        let err = Config::load(&Flags::default(), &env_of(&[("HOME", "/h"), ("ISMS_LISTEN", "8080")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable ISMS_LISTEN has \"8080\", which is not an address and port such as 127.0.0.1:8080"
        );
    }

    #[test]
    fn the_database_url_can_come_from_a_secret_file_and_is_masked() {
        let secret = file("postgres://isms:hunter2@db.internal/isms\n");
        let env = env_of(&[("HOME", "/h"), ("ISMS_DATABASE_URL_FILE", secret.path().to_str().unwrap())]);
        let c = Config::load(&Flags::default(), &env).unwrap();
        assert_eq!(c.database_url.value, "postgres://isms:hunter2@db.internal/isms");
        let shown = format!("{:?}", c.rows());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://isms:*****@db.internal/isms"), "{shown}");
        assert!(!c.to_json().to_string().contains("hunter2"));
    }

    #[test]
    fn relocating_moves_the_derived_database_with_the_directory() {
        let mut c = Config::load(&Flags::default(), &env_of(&[("HOME", "/h")])).unwrap();
        c.relocate("/demo".into(), Source::Default);
        assert_eq!(c.database_url.value, "sqlite:///demo/isms.db?mode=rwc");
    }
}
