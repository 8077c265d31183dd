//! git's EWAH-compressed bitmaps, as the split index's `link` extension
//! stores which shared entries are deleted or replaced.
//!
//! Only what that needs: decode to the sorted positions of the set bits,
//! and encode them back. Format: ewah/ewah_io.c and ewah/ewok_rlw.h in
//! git.git — a bit count, a word count, 64-bit big-endian words, and the
//! position of the last run-length word. Each run-length word holds a
//! running bit (bit 0), a run of that many clean words (bits 1-32) and the
//! number of literal words that follow it (bits 33-63).

const RUN_BITS: u32 = 32;
const MAX_RUN: u64 = (1 << RUN_BITS) - 1;
const MAX_LITERALS: u64 = (1 << (63 - RUN_BITS)) - 1;

/// The set positions in `bytes`, and how many bytes the bitmap took.
pub fn decode(bytes: &[u8]) -> Option<(Vec<u32>, usize)> {
    let be32 = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let words = be32(4)? as usize;
    let end = 8usize.checked_add(words.checked_mul(8)?)?;
    let word = |i: usize| -> u64 {
        let at = 8 + i * 8;
        u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
    };
    be32(end)?; // the last run-length word's position: only for appending
    let mut set = Vec::new();
    let mut bit: u64 = 0;
    let mut i = 0;
    while i < words {
        let rlw = word(i);
        let run = (rlw >> 1) & MAX_RUN;
        let literals = (rlw >> (1 + RUN_BITS)) as usize;
        if rlw & 1 == 1 {
            for b in bit..bit + run * 64 {
                set.push(u32::try_from(b).ok()?);
            }
        }
        bit += run * 64;
        if i + 1 + literals > words {
            return None;
        }
        for l in 0..literals {
            let w = word(i + 1 + l);
            for b in 0..64 {
                if w >> b & 1 == 1 {
                    set.push(u32::try_from(bit + b).ok()?);
                }
            }
            bit += 64;
        }
        i += 1 + literals;
    }
    Some((set, end + 4))
}

/// `positions` (sorted, distinct) as git writes a bitmap.
pub fn encode(positions: &[u32], out: &mut Vec<u8>) {
    let bit_size = positions.last().map_or(0, |p| p + 1);
    let mut words = vec![0u64; bit_size.div_ceil(64) as usize];
    for &p in positions {
        words[(p / 64) as usize] |= 1 << (p % 64);
    }
    let mut encoded: Vec<u64> = Vec::new();
    let mut last_rlw = 0;
    let mut i = 0;
    while i < words.len() {
        let running_bit = u64::from(words[i] == u64::MAX);
        let clean = if running_bit == 1 { u64::MAX } else { 0 };
        let mut run = 0;
        while i + run < words.len() && words[i + run] == clean && (run as u64) < MAX_RUN {
            run += 1;
        }
        let mut literals = 0;
        while i + run + literals < words.len()
            && words[i + run + literals] != 0
            && words[i + run + literals] != u64::MAX
            && (literals as u64) < MAX_LITERALS
        {
            literals += 1;
        }
        last_rlw = encoded.len();
        encoded.push(running_bit | (run as u64) << 1 | (literals as u64) << (1 + RUN_BITS));
        encoded.extend_from_slice(&words[i + run..i + run + literals]);
        i += run + literals;
    }
    if encoded.is_empty() {
        // git's empty bitmap: one run-length word of nothing.
        encoded.push(0);
    }
    out.extend_from_slice(&bit_size.to_be_bytes());
    out.extend_from_slice(&(encoded.len() as u32).to_be_bytes());
    for w in &encoded {
        out.extend_from_slice(&w.to_be_bytes());
    }
    out.extend_from_slice(&(last_rlw as u32).to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(positions: &[u32]) {
        let mut bytes = Vec::new();
        encode(positions, &mut bytes);
        bytes.extend_from_slice(b"tail");
        let (decoded, used) = decode(&bytes).expect("decodes");
        assert_eq!(decoded, positions);
        assert_eq!(&bytes[used..], b"tail");
    }

    #[test]
    fn bitmaps_round_trip() {
        round_trip(&[]);
        round_trip(&[0]);
        round_trip(&[5, 63, 64, 200_000]);
        round_trip(&(0..130).collect::<Vec<_>>()); // a run of full words
        round_trip(&(1000..1100).chain([5000]).collect::<Vec<_>>());
    }

    #[test]
    fn empty_bitmap_is_gits() {
        // ewah_new() serialized: 0 bits, 1 word (an empty run-length word), rlw at 0.
        let mut bytes = Vec::new();
        encode(&[], &mut bytes);
        assert_eq!(
            bytes,
            [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn truncated_bitmaps_are_refused() {
        let mut bytes = Vec::new();
        encode(&[3, 700], &mut bytes);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
    }
}
