#![no_main]
use libfuzzer_sys::fuzz_target;
use m365_mail_wizard::checks::pop::{Reply, parse_reply, parse_stat};

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    if let Some(Reply::Ok(rest)) = parse_reply(&line) {
        let _ = parse_stat(rest);
    }
});
