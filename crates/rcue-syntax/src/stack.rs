//! Deep recursion without overflow, cheaply.
//!
//! Parsing, evaluation and export recurse as deep as the input nests, so
//! each recursive step goes through `grow`, which moves to a fresh stack
//! segment (with `stacker`) when the current one runs low. Asking
//! `stacker` at every step cost about 2% of an export (a call it cannot
//! inline and a thread-local lookup per step); here the lowest usable
//! address of the current segment is remembered once, and a step only
//! compares it with the address of one of its locals.

use std::cell::Cell;

thread_local! {
    /// The lowest address the current stack segment may use; 0 when not
    /// known yet (then `stacker` is asked). Stacks grow down on every
    /// target `stacker` supports.
    static FLOOR: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f`, first moving to a new stack segment of `growth` bytes if
/// fewer than `red_zone` bytes are left on this one.
#[inline(always)]
pub fn grow<R>(red_zone: usize, growth: usize, f: impl FnOnce() -> R) -> R {
    let here = stack_address();
    let floor = FLOOR.get();
    if floor != 0 && here > floor && here - floor > red_zone {
        return f();
    }
    grow_slow(red_zone, growth, f)
}

#[cold]
#[inline(never)]
fn grow_slow<R>(red_zone: usize, growth: usize, f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(red_zone, growth, || with_floor(f))
}

/// Runs `f` with the floor of the segment it runs on remembered; the
/// caller's is put back however `f` ends (unwinding included).
fn with_floor<R>(f: impl FnOnce() -> R) -> R {
    let _restore = Restore(FLOOR.get());
    let floor = match stacker::remaining_stack() {
        Some(left) => stack_address().saturating_sub(left),
        None => 0,
    };
    FLOOR.set(floor);
    f()
}

/// Runs `f` on a new stack segment of `size` bytes, on this thread.
///
/// The command-line tool runs each command this way instead of on a
/// thread of its own: a second thread switches the C allocator into its
/// multi-threaded mode, with a lock taken on most allocations and frees
/// (about 4% of the instructions of an export). The segment's pages are
/// only touched as the recursion reaches them.
pub fn on_fresh_stack<R>(size: usize, f: impl FnOnce() -> R) -> R {
    stacker::grow(size, || with_floor(f))
}

struct Restore(usize);

impl Drop for Restore {
    fn drop(&mut self) {
        FLOOR.set(self.0);
    }
}

/// An address in the current stack frame (close enough: red zones are
/// tens of kilobytes).
#[inline(always)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

#[cfg(test)]
mod tests {
    use super::grow;

    fn depth(n: u64) -> u64 {
        // A frame of some size, so that a million levels need far more
        // than the main thread's stack.
        let pad = std::hint::black_box([n; 16]);
        match n {
            0 => pad[0],
            _ => grow(64 * 1024, 1 << 20, || depth(n - 1)) + pad[15] - n + 1,
        }
    }

    #[test]
    fn deep_recursion_moves_to_new_segments() {
        // Run on a small thread stack: without growing this would overflow.
        let r = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| depth(200_000))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(r, 200_000);
    }

    #[test]
    fn a_fresh_stack_holds_deep_recursion_on_this_thread() {
        let r = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let me = std::thread::current().id();
                super::on_fresh_stack(64 << 20, || {
                    assert_eq!(std::thread::current().id(), me);
                    depth(200_000)
                })
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(r, 200_000);
    }

    #[test]
    fn floor_is_restored_after_a_call() {
        grow(64 * 1024, 1 << 20, || {});
        let before = super::FLOOR.get();
        grow(64 * 1024, 1 << 20, || grow(64 * 1024, 1 << 20, || {}));
        assert_eq!(super::FLOOR.get(), before);
    }
}
