#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| rcue_fuzz::checks::eval_export(bytes));
