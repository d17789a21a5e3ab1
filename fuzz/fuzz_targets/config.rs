//! The configuration parser on arbitrary input: it may refuse anything, but
//! must never panic, and every problem it reports must point inside the text.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let env = |name: &str| (name == "RS_CREDENTIAL_ID").then(|| "ext-id-1234".to_owned());
    if let Err(report) = orgrole::config::parse("fuzz.kdl", text, Path::new("/nonexistent"), &env) {
        for problem in report.problems() {
            if let Some(span) = problem.span() {
                assert!(span.offset() + span.len() <= text.len(), "a span outside the text: {span:?}");
            }
        }
    }
});
