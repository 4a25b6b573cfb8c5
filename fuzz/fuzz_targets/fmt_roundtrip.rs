#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Err(problem) = rcue_fuzz::checks::fmt_roundtrip(bytes) {
        panic!("{problem}");
    }
});
