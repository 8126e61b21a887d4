//! An S3-compatible server for tests: moto's server mode (PyPI `moto[server]`), started
//! on a free port for one test and ended with it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The keys every test bucket accepts (moto does not check them).
pub const S3_ACCESS_KEY_ID: &str = "isms-test";
/// See [`S3_ACCESS_KEY_ID`].
pub const S3_SECRET_ACCESS_KEY: &str = "isms-test-secret";

/// A running S3-compatible server with one empty bucket.
#[derive(Debug)]
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket made for the test.
    pub bucket: String,
}

impl S3Server {
    /// Starts `moto_server` (on `PATH`, or `ISMS_TEST_MOTO` names it) and makes a
    /// bucket. Panics, saying how to install it, when it cannot start: a test that
    /// needs it must fail, not pass without it.
    pub fn start() -> S3Server {
        let program = std::env::var("ISMS_TEST_MOTO").unwrap_or_else(|_| "moto_server".to_owned());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port for the S3 server: {e}"));
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("S3 tests need moto's server: cannot run {program:?} ({e}); install it with `python3 -m pip install 'moto[server]'`")
            });
        let endpoint = format!("http://127.0.0.1:{port}");
        let mut server = S3Server { child, endpoint, bucket: format!("isms-test-{}", uuid::Uuid::new_v4().simple()) };
        let started = Instant::now();
        // Path-style PUT /BUCKET creates the bucket; it answers once the server is up.
        loop {
            if server.request("PUT", &format!("/{}", server.bucket)).is_some_and(|status| status < 300) {
                return server;
            }
            if started.elapsed() > Duration::from_secs(30) {
                panic!("moto's server did not answer on {} within 30 s", server.endpoint);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("moto's server exited at start ({status})");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The `s3://` address isms is configured with (path style).
    pub fn address(&self) -> String {
        format!("s3://{}?endpoint={}&style=path", self.bucket, self.endpoint)
    }

    /// A bare HTTP/1.1 request without a body; the status, or `None` when nothing answers.
    fn request(&self, method: &str, path: &str) -> Option<u16> {
        use std::io::{Read, Write};
        let addr = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
