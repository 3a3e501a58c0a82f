//! Times on the console's pages: German format ("06.12.2026, 18:30") in the time of Germany (Europe/Berlin).
//!
//! A small fixed rule instead of a time-zone database: central European time (UTC+1), and summer time
//! (UTC+2) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October, the rule
//! of the EU since 1996 (Directive 2000/84/EC). Should the EU end the change of clocks, this rule changes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// The last Sunday of `month` in `year`, 01:00 UTC.
fn switch(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut day = first_next - Duration::days(1);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    Some(Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0)?))
}

/// The offset from UTC in Germany at `t`, in hours.
fn offset_hours(t: DateTime<Utc>) -> i64 {
    match (switch(t.year(), 3), switch(t.year(), 10)) {
        (Some(start), Some(end)) if t >= start && t < end => 2,
        _ => 1,
    }
}

fn local(seconds: i64) -> Option<chrono::NaiveDateTime> {
    let t = DateTime::from_timestamp(seconds, 0)?;
    Some(t.naive_utc() + Duration::hours(offset_hours(t)))
}

/// "06.12.2026, 18:30".
pub fn minute(seconds: i64) -> String {
    local(seconds).map_or_else(|| seconds.to_string(), |t| t.format("%d.%m.%Y, %H:%M").to_string())
}

/// "06.12.2026, 18:30:07".
pub fn second(seconds: i64) -> String {
    local(seconds).map_or_else(|| seconds.to_string(), |t| t.format("%d.%m.%Y, %H:%M:%S").to_string())
}

/// "06.12.2026".
pub fn day(seconds: i64) -> String {
    local(seconds).map_or_else(|| seconds.to_string(), |t| t.format("%d.%m.%Y").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winter_and_summer_time_in_germany() {
        // 2026-12-06 17:30 UTC is 18:30 in Berlin (CET).
        assert_eq!(minute(1_796_578_200), "06.12.2026, 18:30");
        // 2026-07-01 10:00 UTC is 12:00 (CEST).
        assert_eq!(minute(1_782_900_000), "01.07.2026, 12:00");
        // 2026-03-29 is the last Sunday of March: 00:59:59 UTC is still winter time, 01:00 UTC is 03:00.
        assert_eq!(second(1_774_745_999), "29.03.2026, 01:59:59");
        assert_eq!(second(1_774_746_000), "29.03.2026, 03:00:00");
        // 2026-10-25 01:00 UTC: back to 02:00 local.
        assert_eq!(second(1_792_890_000), "25.10.2026, 02:00:00");
        assert_eq!(day(1_796_578_200), "06.12.2026");
    }
}
