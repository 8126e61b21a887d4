//! Plug-in collectors: executables that isms runs and whose standard output it reads
//! as results (OCSF findings or isms's own JSON check format; the caller ingests them).
//!
//! The protocol, from the plug-in's side:
//!
//! - it is started with the configured arguments, standard input closed (reading it
//!   gives end of file at once), and the environment variable `ISMS_COLLECT=1` added to
//!   isms's own environment;
//! - it writes its results to standard output, at most the configured number of
//!   bytes: past that it is killed and the run is an error;
//! - it may write anything to standard error; a line `progress: N/M message` (N of M
//!   steps done, the message optional) reports progress, every other line is kept (the
//!   last 20, each cut at 4 KiB) to explain a failure;
//! - it exits with status 0 on success; any other status, or death by a signal, is an
//!   error carrying the last 20 lines of standard error;
//! - it must be done within the time limit, or it is killed and the run is an error.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::CollectError;
use crate::lines::{LineSplitter, MAX_LINE, Tail, with_stderr};

/// How many lines of standard error an error carries.
const STDERR_LINES: usize = 20;

/// A plug-in's report of its progress: `progress: N/M message` on standard error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Steps done (N).
    pub done: u64,
    /// Steps in all (M).
    pub total: u64,
    /// What it is doing, possibly empty.
    pub message: String,
}

impl Progress {
    /// Parses a line of standard error: `progress: N/M message`, else `None`.
    pub fn parse(line: &str) -> Option<Progress> {
        let rest = line.trim().strip_prefix("progress:")?.trim_start();
        let (fraction, message) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let (done, total) = fraction.split_once('/')?;
        Some(Progress { done: done.parse().ok()?, total: total.parse().ok()?, message: message.trim().to_owned() })
    }
}

/// Runs the plug-in `exe` with `args` under the protocol above and returns what it
/// wrote to standard output; `progress` is called for each progress line, as it comes.
pub async fn collect(
    exe: &Path,
    args: &[String],
    timeout: Duration,
    max_bytes: u64,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Vec<u8>, CollectError> {
    let fail = |reason: String| CollectError::Plugin { exe: exe.display().to_string(), reason };
    let deadline = Instant::now() + timeout;
    let mut child = Command::new(exe)
        .args(args)
        .env("ISMS_COLLECT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| fail(format!("cannot be started: {e}")))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(fail("its output cannot be read".to_owned()));
    };

    let mut out = Vec::new();
    let mut tail = Tail::new(STDERR_LINES);
    let mut split = LineSplitter::new(MAX_LINE);
    let mut on_line = |line: String| match Progress::parse(&line) {
        Some(p) => progress(p),
        None => tail.push(line),
    };
    let (mut out_open, mut err_open) = (true, true);
    let mut out_buf = vec![0u8; 16 * 1024];
    let mut err_buf = vec![0u8; 4 * 1024];
    while out_open || err_open {
        tokio::select! {
            read = stdout.read(&mut out_buf), if out_open => match read {
                Ok(0) => out_open = false,
                Ok(n) => {
                    if out.len() as u64 + n as u64 > max_bytes {
                        kill(&mut child).await;
                        return Err(fail(with_stderr(
                            format!("wrote more than {max_bytes} bytes to standard output; killed"),
                            &tail,
                        )));
                    }
                    out.extend_from_slice(&out_buf[..n]);
                }
                Err(e) => {
                    kill(&mut child).await;
                    return Err(fail(format!("reading its standard output: {e}")));
                }
            },
            read = stderr.read(&mut err_buf), if err_open => match read {
                Ok(0) | Err(_) => {
                    err_open = false;
                    split.finish(&mut on_line);
                }
                Ok(n) => split.push(&err_buf[..n], &mut on_line),
            },
            () = tokio::time::sleep_until(deadline) => {
                kill(&mut child).await;
                return Err(fail(with_stderr(format!("not done within {timeout:?}; killed"), &tail)));
            }
        }
    }
    let status = match tokio::time::timeout_at(deadline, child.wait()).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(fail(format!("waiting for it: {e}"))),
        Err(_) => {
            kill(&mut child).await;
            return Err(fail(with_stderr(format!("not done within {timeout:?}; killed"), &tail)));
        }
    };
    if status.success() {
        return Ok(out);
    }
    let why = match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "was killed by a signal".to_owned(),
    };
    Err(fail(with_stderr(why, &tail)))
}

/// Kills the child and reaps it (briefly: a process that will not die is left to the
/// runtime, which reaps it in the background).
async fn kill(child: &mut Child) {
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines() {
        assert_eq!(
            Progress::parse("progress: 3/10 scanning hosts"),
            Some(Progress { done: 3, total: 10, message: "scanning hosts".into() })
        );
        assert_eq!(Progress::parse("progress:1/2"), Some(Progress { done: 1, total: 2, message: String::new() }));
        assert_eq!(Progress::parse("  progress: 0/0   x  "), Some(Progress { done: 0, total: 0, message: "x".into() }));
        for not in ["progress 1/2", "progress: a/2 x", "progress: 1-2", "Progress: 1/2", "note: progress: 1/2", ""] {
            assert_eq!(Progress::parse(not), None, "{not}");
        }
    }
}
