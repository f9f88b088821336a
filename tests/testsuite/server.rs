//! `planpress serve` driven from outside: the real binary on a free port, plain HTTP/1.1 over
//! `TcpStream` for pages and for the event stream. Shared by the serve tests and the benchmark.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// The URL the server printed (the page of the one previewed school).
    pub url: String,
}

impl Server {
    /// `planpress serve --root ROOT --port 0 --school ID…`, once it prints its URL.
    pub fn start(binary: &str, root: &Path, schools: &[&str]) -> Server {
        let mut command = Command::new(binary);
        command.args(["serve", "--port", "0", "--root", root.to_str().unwrap()]);
        for id in schools {
            command.args(["--school", id]);
        }
        Server::spawn(command)
    }

    /// Runs `command`, a planpress that serves, until it prints its URL.
    pub fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("planpress serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Keeps reading so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("http://") {
                    let _ = tx.send(line[at..].split(' ').next().unwrap().to_string());
                }
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("planpress serve printed no URL");
            }
        };
        let addr = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        Server { child, addr, url }
    }

    /// One request; the raw target is sent as it is (no normalisation).
    pub fn request(&self, method: &str, target: &str) -> Reply {
        self.request_with_host(&self.addr, method, target)
    }

    /// One request with a `Host` header of the caller's choice.
    pub fn request_with_host(&self, host: &str, method: &str, target: &str) -> Reply {
        Reply::send(&self.addr, host, method, target).expect("the server answers")
    }

    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target)
    }

    /// A POST of `body` with headers of the caller's choice (besides Host and Content-Length).
    pub fn post(&self, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let extra: String = headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        Reply::send_with(&self.addr, &self.addr, "POST", target, &extra, body)
            .expect("the server answers")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's threads now (Linux: `/proc/<pid>/task`).
    pub fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.pid()))
            .expect("/proc is mounted")
            .count()
    }

    /// Listens to the reload events, as a page does.
    pub fn events(&self) -> Events {
        self.try_events()
            .unwrap_or_else(|status| panic!("the event stream was refused with {status}"))
    }

    /// The reload events, or the status of the answer when the stream is refused.
    pub fn try_events(&self) -> Result<Events, u16> {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "GET /__planpress/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.addr
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).expect("the server answers");
        let status = status.split(' ').nth(1).and_then(|s| s.parse().ok());
        if status != Some(200) {
            return Err(status.unwrap_or(0));
        }
        reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut events = Events {
            reader,
            line: String::new(),
        };
        let hello = events
            .next_matching(Duration::from_secs(10), |name, _| name == "hello")
            .expect("the stream greets");
        assert!(hello.contains("version"), "{hello}");
        Ok(events)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// `GET target` from `addr`; `None` when nothing answers there.
    pub fn fetch(addr: &str, target: &str) -> Option<Reply> {
        Reply::send(addr, addr, "GET", target)
    }

    fn send(addr: &str, host: &str, method: &str, target: &str) -> Option<Reply> {
        Reply::send_with(addr, host, method, target, "", "")
    }

    fn send_with(
        addr: &str,
        host: &str,
        method: &str,
        target: &str,
        headers: &str,
        body: &str,
    ) -> Option<Reply> {
        let mut stream = TcpStream::connect(addr).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .ok()?;
        let length = if body.is_empty() && method != "POST" {
            String::new()
        } else {
            format!("Content-Length: {}\r\n", body.len())
        };
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {host}\r\n{headers}{length}Connection: close\r\n\r\n{body}"
        )
        .ok()?;
        // Read by Content-Length where there is one: not every server closes when asked to.
        let mut raw = Vec::new();
        let mut buf = [0; 64 * 1024];
        loop {
            let n = stream.read(&mut buf).ok()?;
            raw.extend_from_slice(&buf[..n]);
            if let Some(reply) = Reply::parse(&raw) {
                let length = reply.header("content-length").and_then(|l| l.parse().ok());
                if n == 0 || length.is_some_and(|l: usize| reply.body.len() >= l) {
                    return Some(reply);
                }
            } else if n == 0 {
                return None;
            }
        }
    }

    fn parse(raw: &[u8]) -> Option<Reply> {
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..end]);
        let mut lines = head.lines();
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Some(Reply {
            status,
            headers,
            body: raw[end + 4..].to_vec(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub struct Events {
    reader: BufReader<TcpStream>,
    line: String,
}

impl Events {
    /// The data of the first event for which `wanted(name, data)` holds, skipping others;
    /// `None` after `timeout`.
    pub fn next_matching(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&str, &str) -> bool,
    ) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let (mut name, mut data) = (String::new(), String::new());
        while Instant::now() < deadline {
            // A read timeout leaves what was read so far in `self.line`.
            match self.reader.read_line(&mut self.line) {
                Ok(0) => return None,
                Ok(_) if self.line.ends_with('\n') => {}
                Ok(_) => continue,
                Err(_) => continue,
            }
            let line = std::mem::take(&mut self.line);
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            } else if line.is_empty() && !name.is_empty() {
                if wanted(&name, &data) {
                    return Some(data);
                }
                name.clear();
                data.clear();
            }
        }
        None
    }

    /// The next rebuild that changed `page` (or every page).
    pub fn rebuilt(&mut self, page: &str, timeout: Duration) -> Option<serde_json::Value> {
        let data = self.next_matching(timeout, |name, data| {
            if name != "rebuilt" {
                return false;
            }
            let v: serde_json::Value = serde_json::from_str(data).unwrap();
            v["all"] == true
                || v["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p.as_str() == Some(page))
        })?;
        Some(serde_json::from_str(&data).unwrap())
    }
}
