#![no_main]
use libfuzzer_sys::fuzz_target;
use m365_mail_wizard::checks::wire::{decode_challenge, printable};
use m365_mail_wizard::sandbox::mail::parse_xoauth2;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_xoauth2(&text);
    let _ = decode_challenge(&text);
    let _ = printable(&text);
});
