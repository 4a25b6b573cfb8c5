//! Resource limit flags shared by the evaluating commands
//! (docs/security.md lists the defaults).

use std::time::Duration;

use rcue::Limits;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct LimitArgs {
    /// Stop after creating this many values (default 4000000).
    #[arg(long = "max-values", value_name = "N")]
    max_values: Option<usize>,
    /// Most disjunct combinations tried for one value (default 20000).
    #[arg(long = "max-disjuncts", value_name = "N")]
    max_disjuncts: Option<usize>,
    /// Stop after this many evaluation steps (default: no limit).
    #[arg(long = "max-steps", value_name = "N")]
    max_steps: Option<u64>,
    /// Stop evaluating after this long: `30s`, `500ms`, `2m` (default:
    /// no limit).
    #[arg(long = "timeout", value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Stop when the process's resident memory exceeds this: `512MiB`,
    /// `2GiB`, or bytes (default: no limit).
    #[arg(long = "max-memory", value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,
    /// Refuse files larger than this (default 512MiB).
    #[arg(long = "max-file-size", value_name = "SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
    /// Fail instead of writing output larger than this (default: no
    /// limit).
    #[arg(long = "max-output", value_name = "SIZE", value_parser = parse_size)]
    max_output: Option<u64>,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        let d = Limits::default();
        Limits {
            max_values: self.max_values.unwrap_or(d.max_values),
            max_disjuncts: self.max_disjuncts.unwrap_or(d.max_disjuncts),
            max_steps: self.max_steps.unwrap_or(d.max_steps),
            timeout: self.timeout.or(d.timeout),
            max_memory: self.max_memory.map(clamp).or(d.max_memory),
            max_file_bytes: self.max_file_size.unwrap_or(d.max_file_bytes),
            max_output_bytes: self.max_output.map(clamp).unwrap_or(d.max_output_bytes),
            ..d
        }
    }
}

fn clamp(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("invalid duration {s:?}"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("invalid duration {s:?}: use ms, s, m or h")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("invalid duration {s:?}"))
}

/// `512MiB`, `2GiB`, `1GB`, `64KiB`, or a bare number of bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("invalid size {s:?}"))?;
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1 << 10,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1 << 20,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "invalid size {s:?}: use B, KiB, MiB, GiB, kB, MB or GB"
            ))
        }
    };
    n.checked_mul(mul)
        .ok_or_else(|| format!("size {s:?} too large"))
}

/// Refuses output over the `--max-output` limit before any of it is
/// written.
pub fn check_output(limits: &Limits, out: &str) -> Result<(), String> {
    check_output_size(limits, out.len())
}

/// `check_output` for an output of `len` bytes not yet written.
pub fn check_output_size(limits: &Limits, len: usize) -> Result<(), String> {
    if len > limits.max_output_bytes {
        return Err(format!(
            "output too large: {} bytes (limit {}, --max-output); nothing written",
            len, limits.max_output_bytes
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_parse() {
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("17"), Ok(17));
        assert!(parse_size("1TiB").is_err() && parse_size("x").is_err());
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("3d").is_err());
    }
}
