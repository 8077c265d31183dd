//! `--json`: the same structs the tables show, with the field names of the
//! record format. Streamed to stdout, so 100k records never sit in memory
//! twice (as structs and as text).

use postmortem::error::{Error, Result};
use serde::Serialize;
use std::io::Write;

pub fn print<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = write(&mut out, value).and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(()),
        // `devops pm list --json | head`: a closed pipe is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Error::new(format!("cannot write JSON to stdout: {e}"))),
    }
}

/// The same bytes `print` writes, for `serve`'s `/api/…` answers.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1 << 12);
    write(&mut out, value).map_err(|e| Error::new(format!("cannot make JSON: {e}")))?;
    Ok(out)
}

/// Pretty JSON and a closing newline: the one shape of `--json`.
fn write<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}
