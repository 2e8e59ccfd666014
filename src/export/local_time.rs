//! Times as the reader reads them: in their offset from UTC, to the minute.

use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

const TO_THE_MINUTE: &[BorrowedFormatItem<'_>] = format_description!(
    "[year]-[month]-[day] [hour]:[minute] [offset_hour sign:mandatory]:[offset_minute]"
);

/// `2026-12-02 14:05 +01:00`: `at` in the offset `offset`.
pub(super) fn to_the_minute(at: OffsetDateTime, offset: UtcOffset) -> String {
    at.to_offset(offset)
        .format(TO_THE_MINUTE)
        .unwrap_or_else(|_| at.to_string())
}

/// A time a profile recorded (RFC 3339).
pub(super) fn parse(recorded: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(recorded.trim(), &Rfc3339).ok()
}

/// A time a profile recorded, to the minute in `offset`; as recorded when it is not RFC 3339.
pub(super) fn recorded(at: &str, offset: UtcOffset) -> String {
    parse(at).map_or_else(|| at.to_string(), |t| to_the_minute(t, offset))
}
