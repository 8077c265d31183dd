//! Just enough HTTP/1.1 for a read-only page server: one request per
//! connection (`Connection: close`), parsed by `httparse`, answered in
//! full. A connection that is slow to speak or to listen is dropped by
//! the socket timeouts, so it never holds a worker for long.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long a client may take to send its request or take the answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// A request's head is small: anything larger is not for us.
const MAX_HEAD: usize = 8 * 1024;

pub struct Request {
    pub method: String,
    /// The path without its query string.
    pub path: String,
    pub if_none_match: Option<String>,
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub etag: Option<String>,
}

impl Response {
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into().into_bytes(),
            etag: None,
        }
    }
}

/// Reads one request head. `None`: the client sent nothing usable (or
/// nothing in time); the connection is just closed.
pub fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                let target = req.path?;
                let path = target.split(['?', '#']).next().unwrap_or("").to_string();
                let if_none_match = req
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("if-none-match"))
                    .and_then(|h| std::str::from_utf8(h.value).ok())
                    .map(str::to_string);
                return Some(Request {
                    method: req.method?.to_string(),
                    path,
                    if_none_match,
                });
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => continue,
            _ => return None,
        }
    }
}

/// Writes the answer; a `HEAD` gets the headers alone. Errors (a client
/// that went away) are the client's business.
pub fn write_response(stream: &mut TcpStream, res: &Response, head_only: bool) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\nConnection: close\r\n",
        res.status,
        reason(res.status),
        res.content_type,
        res.body.len()
    );
    if res.content_type.starts_with("text/html") {
        // The page's own inline style and script, and requests back to
        // this server only: record text can never load or run anything.
        head.push_str(
            "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; \
             script-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'\r\n",
        );
    }
    if let Some(tag) = &res.etag {
        head.push_str(&format!("ETag: {tag}\r\n"));
    }
    if res.status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    head.push_str("\r\n");
    let body: &[u8] = if head_only || res.status == 304 {
        &[]
    } else {
        &res.body
    };
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .and_then(|()| stream.flush());
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Does the client's `If-None-Match` name this tag (or `*`)?
pub fn matches(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}
