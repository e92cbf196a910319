//! Short human times: "14:05" today, "Mon" this week, "24/11/2026" before. The browser uses
//! local time; the server renders UTC (the hydrated page then shows local time).

pub fn clock(ms: i64) -> String {
    let (_, _, _, hours, minutes, _) = parts(ms);
    format!("{hours:02}:{minutes:02}")
}

/// For the chat list: the clock for today, else the date.
pub fn short(ms: i64, now_ms: i64) -> String {
    let (year, month, day, ..) = parts(ms);
    let (ny, nm, nd, ..) = parts(now_ms);
    if (year, month, day) == (ny, nm, nd) { clock(ms) } else { format!("{day:02}/{month:02}/{year}") }
}

/// A day heading: "Today", or the date.
pub fn day(ms: i64, now_ms: i64) -> String {
    let (year, month, day, ..) = parts(ms);
    let (ny, nm, nd, ..) = parts(now_ms);
    if (year, month, day) == (ny, nm, nd) { "Today".to_owned() } else { format!("{day:02}/{month:02}/{year}") }
}

pub fn same_day(a: i64, b: i64) -> bool {
    let (ay, am, ad, ..) = parts(a);
    let (by, bm, bd, ..) = parts(b);
    (ay, am, ad) == (by, bm, bd)
}

pub fn now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
    }
}

/// (year, month, day, hours, minutes, seconds) in local time (browser) or UTC (server).
fn parts(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        (
            i64::from(date.get_full_year()),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes(),
            date.get_seconds(),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let secs = ms.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, (rem / 3600) as u32, ((rem % 3600) / 60) as u32, (rem % 60) as u32)
    }
}

/// Howard Hinnant's days-to-civil algorithm.
#[cfg(not(feature = "hydrate"))]
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_are_computed_correctly() {
        assert_eq!(parts(0), (1970, 1, 1, 0, 0, 0));
        // 2026-11-25 06:20:00 UTC
        assert_eq!(parts(1_795_587_600_000), (2026, 11, 25, 6, 20, 0));
        assert_eq!(clock(1_795_587_600_000), "06:20");
    }
}
