//! The memory allocator: mimalloc.
//!
//! A read at 100k records makes about two million small allocations (the
//! strings of the records). mimalloc hands them out faster than glibc's
//! malloc (a `list` at 100k: about 15% of its time) and with less
//! overhead per allocation, once it gives freed memory back at once
//! rather than a second later (its default), which keeps the peak down.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's C header (the same place in its
/// v2 and v3 enums); the Rust binding names no constant for it. The test
/// below checks it against the option's default in v3, the version built.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Called first in `main`, before any other thread exists: mimalloc's
/// options are not thread safe.
pub fn tune() {
    // SAFETY: a plain C call setting an integer option; no other thread
    // runs yet.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_documented() {
        // Its default in v3 is 1000 (ms); no other option of mimalloc's has it.
        // SAFETY: reading an option.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(default, 1000);
    }
}
