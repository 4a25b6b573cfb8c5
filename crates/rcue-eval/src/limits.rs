//! Resource limits of one evaluation, so that hostile or runaway input
//! stops with an error instead of exhausting time or memory
//! (docs/security.md lists them with their defaults).

use std::time::{Duration, Instant};

/// What one evaluation may use. `Default` gives the limits the command
/// line uses unless told otherwise.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Values (vertices) one evaluation may create.
    pub max_values: usize,
    /// Disjunct combinations tried for one value.
    pub max_disjuncts: usize,
    /// Evaluation steps (values processed plus conjuncts unified).
    pub max_steps: u64,
    /// Wall-clock time for evaluation, counted from when the limits are
    /// applied to an instance.
    pub timeout: Option<Duration>,
    /// Resident memory of the whole process, in bytes (checked every few
    /// thousand steps, on Linux; elsewhere not enforced).
    pub max_memory: Option<usize>,
    /// Largest string or bytes value an operation may build.
    pub max_string_bytes: usize,
    /// Largest list a builtin (`list.Range`, `list.Repeat`) may build.
    pub max_list_elems: usize,
    /// Largest file (CUE or data) the loader reads, in bytes.
    pub max_file_bytes: u64,
    /// Largest output (`export`, `eval`) written, in bytes.
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_values: 4_000_000,
            max_disjuncts: 20_000,
            max_steps: u64::MAX,
            timeout: None,
            max_memory: None,
            max_string_bytes: 256 << 20,
            max_list_elems: 10_000_000,
            max_file_bytes: 512 << 20,
            max_output_bytes: usize::MAX,
        }
    }
}

/// How often, in steps, the clock and memory are looked at (a power of two).
const CHECK_EVERY: u64 = 4096;

/// Tracks steps, time and memory against `Limits`.
#[derive(Debug)]
pub(crate) struct Budget {
    pub limits: Limits,
    steps: u64,
    deadline: Option<Instant>,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        let deadline = limits.timeout.map(|t| Instant::now() + t);
        Budget {
            limits,
            steps: 0,
            deadline,
        }
    }

    /// Counts one step; returns why evaluation must stop, if it must.
    /// (Inline: evaluation counts hundreds of thousands of steps, nearly
    /// all of which only increment.)
    #[inline]
    pub fn step(&mut self) -> Option<String> {
        self.steps += 1;
        if self.steps <= self.limits.max_steps && self.steps & (CHECK_EVERY - 1) != 0 {
            return None;
        }
        self.check()
    }

    /// The checks `step` makes every `CHECK_EVERY` steps.
    #[cold]
    fn check(&mut self) -> Option<String> {
        if self.steps > self.limits.max_steps {
            return Some(format!(
                "evaluation stopped: more than {} steps (--max-steps)",
                self.limits.max_steps
            ));
        }
        if self.steps & (CHECK_EVERY - 1) != 0 {
            return None;
        }
        if let (Some(d), Some(t)) = (self.deadline, self.limits.timeout) {
            if Instant::now() > d {
                return Some(format!(
                    "evaluation stopped: took longer than {} (--timeout)",
                    show_duration(t)
                ));
            }
        }
        if let Some(max) = self.limits.max_memory {
            if resident_bytes().is_some_and(|r| r > max) {
                return Some(format!(
                    "evaluation stopped: memory use above {} MiB (--max-memory)",
                    max >> 20
                ));
            }
        }
        None
    }
}

fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

/// The process's resident memory in bytes, where the system tells it.
pub fn resident_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_counted() {
        let mut b = Budget::new(Limits {
            max_steps: 3,
            ..Limits::default()
        });
        assert!(b.step().is_none() && b.step().is_none() && b.step().is_none());
        assert!(b.step().unwrap().contains("more than 3 steps"));
    }

    #[test]
    fn deadline_is_checked() {
        let mut b = Budget::new(Limits {
            timeout: Some(Duration::ZERO),
            ..Limits::default()
        });
        std::thread::sleep(Duration::from_millis(2));
        let stop = (0..CHECK_EVERY).find_map(|_| b.step());
        assert!(stop.unwrap().contains("took longer than 0s"));
    }

    #[test]
    fn memory_ceiling_is_checked() {
        if resident_bytes().is_none() {
            return; // not Linux
        }
        let mut b = Budget::new(Limits {
            max_memory: Some(1),
            ..Limits::default()
        });
        let stop = (0..CHECK_EVERY).find_map(|_| b.step());
        assert!(stop.unwrap().contains("--max-memory"));
    }
}
