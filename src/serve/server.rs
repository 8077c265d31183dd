//! Connections: one thread accepts, a fixed pool of workers answers. The
//! queue between them is bounded: when it is full, a new connection gets
//! a quick `503` instead of waiting, so a flood costs memory and threads
//! never beyond these numbers.

use super::http::{self, Response};
use super::site::Site;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, TrySendError};

/// Workers answering requests (the answers are prepared bytes, so a few
/// are plenty on a small machine).
pub const WORKERS: usize = 8;
/// Connections accepted and waiting for a worker.
pub const QUEUE: usize = 256;

/// Serves until `stop` is set; the listener is then woken by a connection
/// of our own, the queue is drained, and the workers finish.
pub fn serve(site: &Site, listener: &TcpListener, stop: &AtomicBool) {
    let (send, receive) = mpsc::sync_channel::<TcpStream>(QUEUE);
    let receive = std::sync::Mutex::new(receive);
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                loop {
                    let next = receive.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match next {
                        Ok(stream) => handle(site, stream),
                        Err(_) => return, // the acceptor is gone: done
                    }
                }
            });
        }
        for stream in listener.incoming() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let Ok(stream) = stream else { continue };
            match send.try_send(stream) {
                Ok(()) => {}
                Err(TrySendError::Full(mut stream)) => busy(&mut stream),
                Err(TrySendError::Disconnected(_)) => break,
            }
        }
        drop(send);
    });
}

fn handle(site: &Site, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(http::TIMEOUT));
    let _ = stream.set_write_timeout(Some(http::TIMEOUT));
    let Some(req) = http::read_request(&mut stream) else {
        return;
    };
    let res = super::routes::answer(site, &req);
    http::write_response(&mut stream, &res, req.method == "HEAD");
}

fn busy(stream: &mut TcpStream) {
    let _ = stream.set_write_timeout(Some(std::time::Duration::from_millis(200)));
    http::write_response(stream, &Response::text(503, "busy: try again\n"), false);
}
