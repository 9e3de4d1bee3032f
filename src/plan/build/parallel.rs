//! Running two independent parts of planning at once when the office is large
//! enough to pay for a thread: starting one costs about as much as planning a
//! small office's night, and `simulate` and `check` plan thousands of nights.

/// Backups from which a second thread pays for itself (measured: on a
/// 100,000-backup office it saves about a tenth of the time; with threads on
/// every plan, ten years of `simulate` took twice as long).
const PARALLEL_FROM: usize = 5_000;

/// `(first(), second())`, run at once by `rayon::join` when `backups` is at
/// least [`PARALLEL_FROM`]. A panic in either is raised here.
pub(super) fn join<A: Send, B: Send>(
    backups: usize,
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B + Send,
) -> (A, B) {
    if backups < PARALLEL_FROM {
        let a = first();
        return (a, second());
    }
    rayon::join(first, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_results_come_back_in_order_small_or_large() {
        assert_eq!(join(10, || 1, || "two"), (1, "two"));
        assert_eq!(join(PARALLEL_FROM, || 1, || "two"), (1, "two"));
    }

    #[test]
    #[should_panic(expected = "first failed")]
    fn a_panic_on_the_other_thread_is_raised_here() {
        join(PARALLEL_FROM, || panic!("first failed"), || 2);
    }
}
