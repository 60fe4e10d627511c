//! `pizza-factory probe`: asks a running factory's /readyz (up, and its store reachable), for
//! container health checks that have no curl.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// True if the factory at `host:port` answers /readyz with 200.
pub fn healthy(host: &str, port: u16) -> bool {
    let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
    let Ok(mut stream) = TcpStream::connect((host, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}
