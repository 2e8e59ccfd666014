use time::OffsetDateTime;

/// `months` calendar months after `from`, the day clamped to the month's length.
pub fn add_months(from: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = from.month() as u32 - 1 + months;
    let year = from.year() + (total / 12) as i32;
    let month = time::Month::try_from((total % 12 + 1) as u8).expect("1..=12");
    let last = time::util::days_in_month(month, year);
    let date =
        time::Date::from_calendar_date(year, month, from.day().min(last)).expect("valid date");
    from.replace_date(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(
            add_months(datetime!(2026-11-26 10:00 UTC), 6),
            datetime!(2027-05-26 10:00 UTC)
        );
        assert_eq!(
            add_months(datetime!(2026-08-31 10:00 UTC), 6),
            datetime!(2027-02-28 10:00 UTC)
        );
        assert_eq!(
            add_months(datetime!(2026-01-15 00:00 UTC), 24),
            datetime!(2028-01-15 00:00 UTC)
        );
    }
}
