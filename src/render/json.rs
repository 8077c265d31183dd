//! `--json`: the same structs the tables show, with the field names of the
//! record format.

use crate::error::{Error, Result};
use serde::Serialize;

pub fn print<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::new(format!("cannot encode JSON: {e}")))?;
    crate::output::print(&format!("{text}\n"));
    Ok(())
}
