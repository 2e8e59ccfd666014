//! Durations on the command line (`--wait`, `--directory-wait`).

/// A wait such as `90`, `90s`, `60m` or `2h`, at most a day.
pub fn parse_wait(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("\"{t}\" is not a duration: use a number with s, m or h, e.g. 60m"))?;
    let secs = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        other => {
            return Err(format!(
                "unit \"{other}\" in \"{t}\": use s, m or h, e.g. 60m"
            ));
        }
    };
    if secs > 86_400 {
        return Err(format!("{t} is longer than a day: wait at most 24h"));
    }
    Ok(std::time::Duration::from_secs(secs))
}
