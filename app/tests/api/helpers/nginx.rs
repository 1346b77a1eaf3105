//! Debian's nginx in front of a test server, configured by the shipped `deploy/nginx.conf`
//! itself: only the lines an operator changes (those marked `CHANGE`: the upstream address, the
//! host name, the certificate) and the listen addresses are replaced, so a broken site file
//! fails the proxy tests. nginx runs as a child process with everything it writes (pid, logs,
//! temp files) in a temp dir, on ports picked at random and picked again when nginx says one is
//! taken; the certificate is a self-signed one made with the openssl command. nginx and openssl
//! come from Debian (`scripts/install-tools.sh --test`): missing, they fail the test under CI
//! (`CI` set) and skip it with a loud message otherwise, like the other third-party programs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long nginx may take to bind its ports and start its worker.
const START_DEADLINE: Duration = Duration::from_secs(20);
/// Ports tried before giving up, each pair picked anew after nginx found one taken.
const ATTEMPTS: usize = 20;
/// The host name the test's requests and certificate use.
pub const HOST: &str = "localhost";

/// The shipped site file.
fn shipped_site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx.conf")
}

/// `name` from the usual Debian locations or `PATH`, or `None` (after saying so loudly) outside CI.
fn program(name: &str) -> Option<PathBuf> {
    let dirs = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].map(PathBuf::from);
    let path_dirs = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default();
    if let Some(found) = dirs.iter().chain(&path_dirs).map(|d| d.join(name)).find(|p| p.is_file()) {
        return Some(found);
    }
    let message = format!("{name} is missing: run scripts/install-tools.sh --test (it installs Debian's nginx-light and openssl)");
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {message}\n");
    None
}

/// A self-signed certificate for [`HOST`] and 127.0.0.1, and its key, in `dir`. An end-entity
/// certificate (`CA:FALSE`, serverAuth), as a client that trusts exactly it expects.
fn self_signed(openssl: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let config = dir.join("cert.cnf");
    std::fs::write(
        &config,
        format!(
            "[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n[dn]\nCN = {HOST}\n\
             [ext]\nsubjectAltName = DNS:{HOST}, IP:127.0.0.1\nbasicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n"
        ),
    )
    .expect("write the certificate's config");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new(openssl)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .arg("-config")
        .arg(&config)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(made.status.success(), "openssl req failed: {}", String::from_utf8_lossy(&made.stderr));
    (cert, key)
}

/// Where the test's nginx listens and what it proxies to.
struct Site<'a> {
    upstream: SocketAddr,
    http_port: u16,
    https_port: u16,
    cert: &'a Path,
    key: &'a Path,
}

/// The shipped site file with the test's values on its `CHANGE` lines and its listen lines (on
/// 127.0.0.1: the tests speak IPv4; the `[::]` listens are left out). Every `CHANGE` line must be
/// one the test knows how to replace, and every replacement must find its line, so the file and
/// the test cannot drift apart silently.
fn site_conf(shipped: &str, site: &Site) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    let mut out = String::new();
    for line in shipped.lines() {
        let directive = line.split('#').next().unwrap_or_default().trim();
        let indent = &line[..line.len() - line.trim_start().len()];
        let (what, replaced) = if directive.starts_with("server ") && directive.ends_with(';') {
            ("upstream server", Some(format!("server {};", site.upstream)))
        } else if directive.starts_with("listen [::]:") {
            ("IPv6 listen", Some(String::new()))
        } else if directive == "listen 80;" {
            ("http listen", Some(format!("listen 127.0.0.1:{};", site.http_port)))
        } else if let Some(rest) = directive.strip_prefix("listen 443 ") {
            ("https listen", Some(format!("listen 127.0.0.1:{} {rest}", site.https_port)))
        } else if directive.starts_with("server_name ") {
            ("server_name", Some(format!("server_name {HOST};")))
        } else if directive.starts_with("ssl_certificate ") {
            ("ssl_certificate", Some(format!("ssl_certificate {};", site.cert.display())))
        } else if directive.starts_with("ssl_certificate_key ") {
            ("ssl_certificate_key", Some(format!("ssl_certificate_key {};", site.key.display())))
        } else {
            assert!(!line.contains("# CHANGE"), "deploy/nginx.conf has a CHANGE line the proxy test does not know: {line}");
            ("", None)
        };
        match replaced {
            Some(new) => {
                *counts.entry(what).or_default() += 1;
                out.push_str(&format!("{indent}{new}  # the proxy test's (was: {})\n", line.trim()));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let expected = [
        ("IPv6 listen", 2),
        ("http listen", 1),
        ("https listen", 1),
        ("server_name", 2),
        ("ssl_certificate", 1),
        ("ssl_certificate_key", 1),
        ("upstream server", 1),
    ];
    assert_eq!(counts.into_iter().collect::<Vec<_>>(), expected.to_vec(), "deploy/nginx.conf no longer has the lines the proxy test replaces");
    out
}

/// The main configuration around the site: what Debian's `/etc/nginx/nginx.conf` sets in http {}
/// (its TLS and gzip defaults included, which the site must override), with every path in `dir`
/// so that nginx runs as any user and in the foreground.
fn main_conf(dir: &Path, site: &Path) -> String {
    let d = dir.display();
    format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log stderr notice;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
         \x20   sendfile on;\n    tcp_nopush on;\n    types_hash_max_size 2048;\n    default_type application/octet-stream;\n\
         \x20   ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n    ssl_prefer_server_ciphers on;\n    gzip on;\n\
         \x20   access_log {d}/access.log;\n\
         \x20   client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n    fastcgi_temp_path {d}/fastcgi;\n\
         \x20   uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n\
         \x20   include {};\n}}\n",
        site.display()
    )
}

/// A running nginx in front of a test server. Stopped (SIGTERM to its master, which stops its
/// worker) when dropped.
pub struct Nginx {
    child: Child,
    stderr: Arc<Mutex<Vec<String>>>,
    pub http_port: u16,
    pub https_port: u16,
    /// The certificate nginx serves, PEM: the one root a [`Nginx::client`] trusts.
    pub cert_pem: Vec<u8>,
    dir: tempfile::TempDir,
}

/// How one start of nginx ended.
enum Started {
    Up,
    PortTaken,
}

impl Nginx {
    /// nginx in front of `upstream` (a test server's address), or `None` when nginx or openssl
    /// is missing outside CI.
    pub async fn start(upstream: SocketAddr) -> Option<Self> {
        let nginx = program("nginx")?;
        let openssl = program("openssl")?;
        let dir = tempfile::tempdir().expect("tempdir");
        // nginx started as root runs its worker as `nobody`, which must reach the temp files it
        // writes (a request body larger than its memory buffer) inside this folder.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let (cert, key) = self_signed(&openssl, dir.path());
        let shipped = std::fs::read_to_string(shipped_site()).expect("read deploy/nginx.conf");
        let (site_path, main_path) = (dir.path().join("infograph.conf"), dir.path().join("nginx.conf"));
        std::fs::write(&main_path, main_conf(dir.path(), &site_path)).expect("write nginx.conf");
        let cert_pem = std::fs::read(&cert).expect("read the certificate");
        for _ in 0..ATTEMPTS {
            let (http_port, https_port) = (random_port(), random_port());
            if http_port == https_port {
                continue;
            }
            let site = Site { upstream, http_port, https_port, cert: &cert, key: &key };
            std::fs::write(&site_path, site_conf(&shipped, &site)).expect("write the site");
            let mut child = Command::new(&nginx)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(&main_path)
                .args(["-e", "stderr"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", nginx.display()));
            let stderr = Arc::new(Mutex::new(Vec::new()));
            keep_lines(child.stderr.take().expect("stderr"), stderr.clone());
            match started(&mut child, &stderr).await {
                Started::Up => return Some(Self { child, stderr, http_port, https_port, cert_pem, dir }),
                // Not bound yet, so it has no worker: killing the master ends it.
                Started::PortTaken => {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
        panic!("nginx found a port taken {ATTEMPTS} times in a row");
    }

    /// What nginx has written to its error log (stderr) so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().map(|lines| lines.join("\n")).unwrap_or_default()
    }

    /// nginx's access log so far.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }

    pub fn https_url(&self, path: &str) -> String {
        format!("https://{HOST}:{}{path}", self.https_port)
    }

    pub fn http_url(&self, path: &str) -> String {
        format!("http://{HOST}:{}{path}", self.http_port)
    }

    /// A client that trusts only this nginx's certificate, resolves [`HOST`] to 127.0.0.1,
    /// follows no redirect and connects from `from` (any 127.x address is the loopback
    /// interface's), so that nginx sees a client address of the test's choosing.
    pub fn client(&self, from: IpAddr) -> reqwest::Client {
        let cert = reqwest::Certificate::from_pem(&self.cert_pem).expect("certificate");
        reqwest::Client::builder()
            .tls_certs_only([cert])
            .resolve(HOST, SocketAddr::from(([127, 0, 0, 1], 0)))
            .local_address(from)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its worker before it exits (SIGKILL would orphan the worker,
        // still holding the ports).
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (bounded) until nginx has bound its ports and started its worker, or says a port was
/// taken. Any other way of ending is a failure, with what nginx said.
async fn started(child: &mut Child, stderr: &Mutex<Vec<String>>) -> Started {
    let deadline = Instant::now() + START_DEADLINE;
    loop {
        let said = stderr.lock().map(|lines| lines.join("\n")).unwrap_or_default();
        if said.contains("Address already in use") {
            return Started::PortTaken;
        }
        if said.contains("start worker process") {
            return Started::Up;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("nginx exited ({status}) before starting:\n{said}");
        }
        assert!(Instant::now() < deadline, "nginx did not start within {START_DEADLINE:?}:\n{said}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A port below Linux's ephemeral range (32768 and up), where the system does not hand out
/// ports on its own; one taken anyway makes nginx say so and the caller picks again.
fn random_port() -> u16 {
    20_000 + rand::random::<u16>() % 12_000
}

/// Collects `from`'s lines into `into` until it closes.
fn keep_lines(from: impl std::io::Read + Send + 'static, into: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut lines) = into.lock() {
                lines.push(line);
            }
        }
    });
}
