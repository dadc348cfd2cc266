//! What every transcript reader must hold for any input: no panic, and what it reads survives
//! being written in every format and read back (`transcript::check_round_trip`).

use veillee::transcript::{Format, ReadOptions, check_round_trip, parse};

pub fn check(data: &[u8], format: Option<Format>) {
    let options = ReadOptions { format, ..ReadOptions::default() };
    if let Ok(parsed) = parse(data, &options, None) {
        check_round_trip(&parsed.transcript).unwrap();
    }
}
