#![no_main]

#[path = "common.rs"]
mod common;

// The JSON format is found from the content, as `transcript import` does.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') {
        common::check(data, None)
    }
});
