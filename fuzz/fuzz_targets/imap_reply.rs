#![no_main]
use libfuzzer_sys::fuzz_target;
use m365_mail_wizard::checks::imap::{Reply, capabilities, exists, parse_reply, search_count};

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    if let Some(Reply::Untagged(u)) = parse_reply(&line) {
        let _ = capabilities(u);
        let _ = exists(u);
        let _ = search_count(u);
    }
});
