#![no_main]
use libfuzzer_sys::fuzz_target;
use m365_mail_wizard::checks::smtp::{Reply, parse_line};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = Vec::new();
    let mut code = 0;
    for l in text.split("\r\n") {
        if let Some(r) = parse_line(l) {
            code = r.code;
            lines.push(r.text.to_string());
        }
    }
    let reply = Reply { code, lines };
    let _ = reply.offers("STARTTLS");
    let _ = reply.offers_auth("XOAUTH2");
    let _ = reply.evidence();
});
