//! Long outputs made on every core. A search for a word in every record
//! prints 100k results, `list` tens of thousands of rows: formatting them
//! one by one was a third of their time.

/// `f` of each share of `items` (one share a core, in order), each in a
/// thread of its own; small inputs are one share, on this thread.
fn each_share<T: Sync, U: Send>(items: &[T], f: impl Fn(&[T]) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = items.len().div_ceil(threads).max(4096);
    if items.len() <= per_thread {
        return vec![f(items)];
    }
    let f = &f;
    std::thread::scope(|s| {
        let running: Vec<_> = items
            .chunks(per_thread)
            .map(|share| s.spawn(move || f(share)))
            .collect();
        running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// `f` of every item, in order.
pub fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let parts = each_share(items, |share| share.iter().map(&f).collect::<Vec<U>>());
    let mut all = Vec::with_capacity(items.len());
    parts.into_iter().for_each(|mut part| all.append(&mut part));
    all
}

/// The text of `piece` for every item, in order, each core writing its
/// share into a buffer of its own.
pub fn joined<T: Sync>(items: &[T], piece: impl Fn(&mut String, &T) + Sync) -> String {
    each_share(items, |share| {
        let mut out = String::new();
        share.iter().for_each(|item| piece(&mut out, item));
        out
    })
    .concat()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..20_000).collect();
        let text = super::joined(&items, |out, n| out.push_str(&format!("{n}\n")));
        let expected: String = items.iter().map(|n| format!("{n}\n")).collect();
        assert_eq!(text, expected);
        assert_eq!(super::joined(&[] as &[u32], |_, _| {}), "");
        let doubled: Vec<u32> = items.iter().map(|n| n * 2).collect();
        assert_eq!(super::map(&items, |n| n * 2), doubled);
    }
}
