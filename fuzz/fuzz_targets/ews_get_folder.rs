#![no_main]
use libfuzzer_sys::fuzz_target;
use m365_mail_wizard::checks::ews::parse_get_folder;

fuzz_target!(|data: &[u8]| {
    let _ = parse_get_folder(&String::from_utf8_lossy(data));
});
