//! Small real servers on 127.0.0.1 for the notification tests: an HTTP
//! server that records every request (method, path, headers, body) and
//! answers with a chosen status, and an SMTP sink that speaks just enough
//! ESMTP to take a mail and records it. Each serves on its own thread, one
//! connection at a time, and stops when dropped (or after a minute, so a
//! test that forgets it cannot leave it running).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The longest a server stays up.
const LIFETIME: Duration = Duration::from_secs(60);
/// How long `wait_for` waits for requests that should already be there.
const PATIENCE: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// Runs `serve` for each connection until stopped; records land in `log`.
struct Server<T> {
    port: u16,
    log: Arc<Mutex<Vec<T>>>,
    stop: Arc<AtomicBool>,
}

impl<T: Send + 'static> Server<T> {
    fn start(serve: impl Fn(TcpStream, &Mutex<Vec<T>>) + Send + 'static) -> Server<T> {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_log, thread_stop) = (Arc::clone(&log), Arc::clone(&stop));
        thread::spawn(move || {
            let started = Instant::now();
            while !thread_stop.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_secs(10)))
                            .unwrap();
                        serve(stream, &thread_log);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { port, log, stop }
    }

    fn records(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.log.lock().unwrap().clone()
    }

    fn wait_for(&self, count: usize) -> Vec<T>
    where
        T: Clone,
    {
        let started = Instant::now();
        loop {
            let records = self.records();
            if records.len() >= count || started.elapsed() > PATIENCE {
                return records;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl<T> Drop for Server<T> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// An HTTP server answering every request with `status`.
pub struct HttpRecorder {
    server: Server<Request>,
}

impl HttpRecorder {
    pub fn new() -> HttpRecorder {
        HttpRecorder::answering(200)
    }

    pub fn answering(status: u16) -> HttpRecorder {
        HttpRecorder {
            server: Server::start(move |stream, log| {
                if let Some(request) = read_request(&stream) {
                    log.lock().unwrap().push(request);
                }
                let reason = if status < 400 { "OK" } else { "Server Error" };
                let body = if status < 400 {
                    "OK"
                } else {
                    "broken on purpose"
                };
                let _ = write!(
                    &stream,
                    "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }),
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.server.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.server.records()
    }

    /// The requests once there are at least `count` (or what came in time).
    pub fn wait_for(&self, count: usize) -> Vec<Request> {
        self.server.wait_for(count)
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (key, value) = header.split_once(':')?;
        headers.push((key.trim().to_string(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// An SMTP server that accepts every mail (no TLS, no authentication).
pub struct SmtpSink {
    server: Server<Mail>,
}

impl SmtpSink {
    pub fn new() -> SmtpSink {
        SmtpSink {
            server: Server::start(|stream, log| {
                if let Some(mail) = smtp_dialogue(&stream) {
                    log.lock().unwrap().push(mail);
                }
            }),
        }
    }

    /// `127.0.0.1:PORT`, as `notify.email.smtp` takes it.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.server.port)
    }

    pub fn wait_for(&self, count: usize) -> Vec<Mail> {
        self.server.wait_for(count)
    }
}

fn smtp_dialogue(stream: &TcpStream) -> Option<Mail> {
    let mut writer = stream;
    let mut reader = BufReader::new(stream);
    let mut send = |text: &str| writer.write_all(text.as_bytes()).ok();
    send("220 sink.test ESMTP ready\r\n")?;
    let mut mail = Mail {
        from: String::new(),
        to: Vec::new(),
        data: String::new(),
    };
    let mut delivered = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            break;
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            send("250-sink.test\r\n250 8BITMIME\r\n")?;
        } else if upper.starts_with("HELO") {
            send("250 sink.test\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            mail.from = address_of(&command[10..]);
            send("250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            mail.to.push(address_of(&command[8..]));
            send("250 OK\r\n")?;
        } else if upper == "DATA" {
            send("354 end with <CRLF>.<CRLF>\r\n")?;
            loop {
                let mut data = String::new();
                if reader.read_line(&mut data).ok()? == 0 {
                    return None;
                }
                if data == ".\r\n" {
                    break;
                }
                mail.data.push_str(&data);
            }
            delivered = true;
            send("250 OK queued\r\n")?;
        } else if upper == "QUIT" {
            send("221 bye\r\n")?;
            break;
        } else {
            send("250 OK\r\n")?;
        }
    }
    delivered.then_some(mail)
}

fn address_of(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['<', '>'])
        .to_string()
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.local_addr().unwrap().port()
}

/// A server that accepts connections and never answers (a hung monitoring
/// server): it holds each connection open until dropped.
pub struct Silent {
    server: Server<TcpStream>,
}

impl Silent {
    pub fn new() -> Silent {
        Silent {
            server: Server::start(|stream, held| held.lock().unwrap().push(stream)),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.server.port)
    }
}
