#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| logmap_fuzz::parse_web(data));
