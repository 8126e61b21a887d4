//! The OpenSCAP collector: runs `oscap xccdf eval` on this machine with a profile of a
//! SCAP data stream (the SCAP Security Guide's, from the `ssg-debian` package or
//! similar) and returns the path of the ARF report it writes. The caller reads that
//! report with the XCCDF/ARF reader of `isms-ingest`.
//!
//! `oscap` exits with 0 when every rule passed and 2 when some failed; both are a
//! successful evaluation. Any other status is an error carrying the last lines of its
//! standard error. There is no time limit of its own (an evaluation may take minutes):
//! the process is killed when the returned future is dropped, so the caller may bound
//! it with a time-out.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

use crate::CollectError;
use crate::lines::{tail_of, with_stderr};

/// Where the SCAP Security Guide's data streams are installed.
const SSG_CONTENT: &str = "/usr/share/xml/scap/ssg/content";

/// How many lines of standard error an error carries.
const STDERR_LINES: usize = 20;

/// What to evaluate, and with which `oscap`.
#[derive(Debug, Clone)]
pub struct OpenscapOptions {
    /// The SCAP source data stream (`ssg-debian12-ds.xml`).
    pub datastream: PathBuf,
    /// The XCCDF profile's id, e.g. `xccdf_org.ssgproject.content_profile_anssi_bp28_minimal`.
    pub profile: String,
    /// The `oscap` executable (found on `PATH` when it is a bare name).
    pub oscap: PathBuf,
}

impl OpenscapOptions {
    /// Options with `oscap` from `PATH`.
    pub fn new(datastream: PathBuf, profile: impl Into<String>) -> Self {
        OpenscapOptions { datastream, profile: profile.into(), oscap: PathBuf::from("oscap") }
    }
}

/// The arguments of `oscap`: `xccdf eval --profile P --results-arf OUT DATASTREAM`.
pub(crate) fn eval_args(opts: &OpenscapOptions, out: &Path) -> Vec<OsString> {
    vec![
        "xccdf".into(),
        "eval".into(),
        "--profile".into(),
        opts.profile.clone().into(),
        "--results-arf".into(),
        out.as_os_str().to_owned(),
        opts.datastream.as_os_str().to_owned(),
    ]
}

/// Evaluates the profile, writing the ARF report to `out`; returns `out`.
pub async fn collect(opts: &OpenscapOptions, out: &Path) -> Result<PathBuf, CollectError> {
    let fail = |reason: String| CollectError::Openscap { datastream: opts.datastream.display().to_string(), reason };
    if !opts.datastream.is_file() {
        return Err(fail("no such data stream file".to_owned()));
    }
    let mut child = Command::new(&opts.oscap)
        .args(eval_args(opts, out))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            fail(if e.kind() == std::io::ErrorKind::NotFound {
                format!("{} not found (install the openscap-scanner package)", opts.oscap.display())
            } else {
                format!("{} cannot be run: {e}", opts.oscap.display())
            })
        })?;
    let tail = match child.stderr.take() {
        Some(stderr) => tail_of(stderr, STDERR_LINES).await,
        None => crate::lines::Tail::new(0),
    };
    let status = child.wait().await.map_err(|e| fail(format!("waiting for oscap: {e}")))?;
    match status.code() {
        Some(0 | 2) if out.is_file() => Ok(out.to_path_buf()),
        Some(0 | 2) => Err(fail(with_stderr(format!("oscap wrote no report to {}", out.display()), &tail))),
        Some(code) => Err(fail(with_stderr(format!("oscap exited with status {code}"), &tail))),
        None => Err(fail(with_stderr("oscap was killed by a signal".to_owned(), &tail))),
    }
}

/// The SCAP Security Guide's Debian data stream installed here
/// (`/usr/share/xml/scap/ssg/content/ssg-debianN-ds.xml`), the highest N, if any.
pub fn default_datastream() -> Option<PathBuf> {
    pick_datastream(Path::new(SSG_CONTENT))
}

/// The `ssg-debianN-ds.xml` in `dir` with the highest N (compared as numbers).
pub(crate) fn pick_datastream(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let number = name.to_str()?.strip_prefix("ssg-debian")?.strip_suffix("-ds.xml")?.parse::<u32>().ok()?;
            Some((number, entry.path()))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn arguments() {
        let opts = OpenscapOptions::new("/usr/share/ds.xml".into(), "xccdf_org.ssgproject.content_profile_standard");
        assert_eq!(opts.oscap, PathBuf::from("oscap"));
        let args = eval_args(&opts, Path::new("/tmp/out arf.xml"));
        assert_eq!(
            args,
            [
                "xccdf",
                "eval",
                "--profile",
                "xccdf_org.ssgproject.content_profile_standard",
                "--results-arf",
                "/tmp/out arf.xml",
                "/usr/share/ds.xml"
            ]
            .map(OsString::from)
        );
    }

    #[test]
    fn picks_the_highest_debian_release() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(pick_datastream(dir.path()), None);
        for name in [
            "ssg-debian9-ds.xml",
            "ssg-debian12-ds.xml",
            "ssg-debian11-ds.xml",
            "ssg-ubuntu2404-ds.xml",
            "ssg-debianx-ds.xml",
            "ssg-debian13-xccdf.xml",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        assert_eq!(pick_datastream(dir.path()), Some(dir.path().join("ssg-debian12-ds.xml")));
        assert_eq!(pick_datastream(&dir.path().join("missing")), None);
    }

    #[tokio::test]
    async fn missing_oscap_or_data_stream_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let ds = dir.path().join("ds.xml");
        let mut opts = OpenscapOptions::new(ds.clone(), "p");
        let e = collect(&opts, &dir.path().join("arf.xml")).await.unwrap_err().to_string();
        assert!(e.ends_with("no such data stream file"), "{e}");
        std::fs::write(&ds, "<x/>").unwrap();
        opts.oscap = dir.path().join("no-oscap");
        let e = collect(&opts, &dir.path().join("arf.xml")).await.unwrap_err().to_string();
        assert!(e.contains("not found (install the openscap-scanner package)"), "{e}");
    }
}
