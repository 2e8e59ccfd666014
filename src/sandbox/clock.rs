//! The sandbox's clock: the wall clock as the access rules count it, timestamps as the service
//! writes them, and calendar months as a credential policy counts them.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

/// The wall clock in ms since the epoch, as the access rules' propagation times count it.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The same day and time `months` calendar months later; a day the later month lacks becomes
/// its last day (31 January + 1 month = 28 or 29 February).
pub fn months_later(at: OffsetDateTime, months: u32) -> OffsetDateTime {
    let index = i64::from(at.year()) * 12 + i64::from(u8::from(at.month()) - 1) + i64::from(months);
    let year = i32::try_from(index / 12).expect("a year within range");
    let month = Month::January.nth_next((index % 12) as u8);
    let day = at.day().min(month.length(year));
    at.replace_date(Date::from_calendar_date(year, month, day).expect("the day is clamped"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_keep_the_day_where_they_can() {
        let cases = [
            (
                datetime!(2026-01-31 10:30 UTC),
                1,
                datetime!(2026-02-28 10:30 UTC),
            ),
            (
                datetime!(2027-11-30 00:00 UTC),
                3,
                datetime!(2028-02-29 00:00 UTC),
            ),
            (
                datetime!(2026-05-15 08:00 UTC),
                24,
                datetime!(2028-05-15 08:00 UTC),
            ),
            (
                datetime!(2026-12-01 00:00 UTC),
                0,
                datetime!(2026-12-01 00:00 UTC),
            ),
        ];
        for (from, months, expected) in cases {
            assert_eq!(months_later(from, months), expected, "{from} + {months}");
        }
    }

    #[test]
    fn the_products_month_arithmetic_agrees() {
        let mut at = datetime!(2025-01-31 23:59:59 UTC);
        for months in [1, 2, 6, 11, 12, 13, 25] {
            assert_eq!(
                months_later(at, months),
                crate::model::add_months(at, months)
            );
            at += time::Duration::days(17);
        }
    }
}
