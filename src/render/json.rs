//! `--json`: the same structs the tables show, with the field names of the
//! record format. Streamed to stdout, so 100k records never sit in memory
//! twice (as structs and as text).

use postmortem::error::{Error, Result};
use serde::Serialize;
use std::io::Write;

pub fn print<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(()),
        // `devops pm list --json | head`: a closed pipe is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Error::new(format!("cannot write JSON to stdout: {e}"))),
    }
}
