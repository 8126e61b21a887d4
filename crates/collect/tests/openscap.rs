//! The OpenSCAP collector with a stand-in `oscap` (a shell script): it is given the
//! right arguments, exit statuses 0 and 2 succeed, others fail with standard error.
//! One test only, so that no other thread of this binary can hold the script open
//! for writing while it is executed ("text file busy").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use isms_collect::openscap::{self, OpenscapOptions};

/// A stand-in `oscap` that records its arguments in `args.txt`, writes the ARF file
/// (the argument after `--results-arf`) unless told not to, and exits with `status`.
fn fake_oscap(dir: &Path, status: u8, write_report: bool) -> std::path::PathBuf {
    let path = dir.join(format!("oscap-{status}-{write_report}"));
    let write = if write_report {
        r#"prev=""; for a in "$@"; do if [ "$prev" = "--results-arf" ]; then echo '<arf/>' > "$a"; fi; prev="$a"; done"#
    } else {
        ""
    };
    let body = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"{}\"\n{write}\necho 'OpenSCAP Error: something broke' >&2\necho 'Rule results on stdout' \nexit {status}\n",
        dir.join("args.txt").display()
    );
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test]
async fn runs_oscap_and_returns_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ssg-debian12-ds.xml");
    std::fs::write(&ds, "<ds/>").unwrap();
    let profile = "xccdf_org.ssgproject.content_profile_anssi_bp28_minimal";
    let mut opts = OpenscapOptions::new(ds.clone(), profile);

    for status in [0, 2] {
        let out = dir.path().join(format!("arf-{status}.xml"));
        opts.oscap = fake_oscap(dir.path(), status, true);
        let report = openscap::collect(&opts, &out).await.unwrap();
        assert_eq!(report, out);
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "<arf/>\n");
        let args = std::fs::read_to_string(dir.path().join("args.txt")).unwrap();
        let expected = [
            "xccdf",
            "eval",
            "--profile",
            profile,
            "--results-arf",
            &out.display().to_string(),
            &ds.display().to_string(),
        ];
        assert_eq!(args.lines().collect::<Vec<_>>(), expected);
    }

    opts.oscap = fake_oscap(dir.path(), 1, true);
    let err = openscap::collect(&opts, &dir.path().join("arf-1.xml")).await.unwrap_err().to_string();
    assert!(err.starts_with(&format!("openscap {}: oscap exited with status 1", ds.display())), "{err}");
    assert!(err.ends_with("OpenSCAP Error: something broke"), "{err}");

    opts.oscap = fake_oscap(dir.path(), 2, false);
    let err = openscap::collect(&opts, &dir.path().join("none.xml")).await.unwrap_err().to_string();
    assert!(err.contains("oscap wrote no report to"), "{err}");
}
