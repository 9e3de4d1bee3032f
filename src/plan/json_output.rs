//! Writing a plan's JSON (`plan --format json`) to a stream: byte for byte what
//! `serde_json::to_writer_pretty` writes for the [`JsonPlan`](super::json::JsonPlan),
//! but with the two large lists (backups and actions: 100,000s each on a large
//! office) rendered in chunks on several cores and written in order as they
//! come. Nothing is held whole: a few chunks at a time.
//!
//! It relies on serde_json's pretty layout: an object's field or a list's item
//! is its own pretty JSON, each line indented two spaces per level of depth.
//! Small fields are rendered alone by serde_json and indented one level (a
//! JSON string never holds a raw newline, so adding indentation after newlines
//! cannot touch a value); the lists' items are written at their depth by
//! [`super::json_items`].

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde::Serialize;

use super::Plan;
use super::json::{self, JsonLocation, JsonPending, JsonSummary, JsonWarning};
use super::json_items::{self, ListItem};

/// Items per chunk: enough that handing a chunk over costs nothing next to
/// rendering it, few enough that the chunks in flight use little memory.
const CHUNK: usize = 256;

/// Rendered chunks each worker may have waiting for the writer.
const AHEAD: usize = 2;

/// Writes `plan` as pretty JSON followed by a newline.
pub fn write_plan(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    write_plan_with(plan, out, workers, CHUNK)
}

/// [`write_plan`] with `workers` threads rendering chunks of `chunk` items.
fn write_plan_with(
    plan: &Plan,
    out: &mut impl Write,
    workers: usize,
    chunk: usize,
) -> io::Result<()> {
    // The fields of `JsonPlan`, in its order.
    out.write_all(b"{")?;
    let mut object = Fields { out, first: true };
    object.field("schema", &json::SCHEMA)?;
    object.field("office", &plan.office)?;
    object.field("timezone", &plan.timezone)?;
    object.field("at", &plan.at.to_rfc3339())?;
    object.field("today", &plan.today.to_string())?;
    let locations: Vec<JsonLocation> = plan.sites.iter().map(JsonLocation::from_site).collect();
    object.field("locations", &locations)?;
    let lists = Lists { workers, chunk };
    lists.write(&mut object, "backups", &plan.backups)?;
    lists.write(&mut object, "actions", &plan.actions)?;
    let pending: Vec<JsonPending> = plan.pending.iter().map(JsonPending::from_pending).collect();
    object.field("pending", &pending)?;
    let warnings: Vec<JsonWarning> = plan
        .warnings
        .iter()
        .map(JsonWarning::from_warning)
        .collect();
    object.field("warnings", &warnings)?;
    object.field("summary", &JsonSummary::of(plan))?;
    object.field("fingerprint", &plan.fingerprint)?;
    out.write_all(b"\n}\n")
}

/// The top-level object's fields, written one after another.
struct Fields<'w, W: Write> {
    out: &'w mut W,
    first: bool,
}

impl<W: Write> Fields<'_, W> {
    fn key(&mut self, key: &str) -> io::Result<()> {
        let separator: &[u8] = if self.first { b"\n  " } else { b",\n  " };
        self.first = false;
        self.out.write_all(separator)?;
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.write_all(b": ")
    }

    /// A field whose value is small: rendered at once, indented one level.
    fn field(&mut self, key: &str, value: &impl Serialize) -> io::Result<()> {
        self.key(key)?;
        let rendered = serde_json::to_vec_pretty(value)?;
        let mut lines = rendered.split(|byte| *byte == b'\n');
        if let Some(first) = lines.next() {
            self.out.write_all(first)?;
        }
        for line in lines {
            self.out.write_all(b"\n  ")?;
            self.out.write_all(line)?;
        }
        Ok(())
    }
}

/// How the large lists are rendered.
struct Lists {
    workers: usize,
    chunk: usize,
}

impl Lists {
    /// The field `key`: `items` rendered in chunks on several threads and
    /// written in order.
    fn write<T: ListItem + Sync, W: Write>(
        &self,
        object: &mut Fields<'_, W>,
        key: &str,
        items: &[T],
    ) -> io::Result<()> {
        object.key(key)?;
        if items.is_empty() {
            return object.out.write_all(b"[]");
        }
        object.out.write_all(b"[")?;
        let chunks: Vec<&[T]> = items.chunks(self.chunk.max(1)).collect();
        let render = |index: usize| Ok(json_items::chunk(chunks[index], index == 0));
        in_order(chunks.len(), self.workers, &render, |bytes| {
            object.out.write_all(&bytes)
        })?;
        object.out.write_all(b"\n  ]")
    }
}

/// Renders chunks `0..count` with `render` on `workers` threads and passes
/// each to `write` in order. Worker `w` renders chunks `w`, `w + workers`, ...
/// in turn into its own short queue, so the writer takes chunk `i` from queue
/// `i % workers`: nothing is reordered or held beyond [`AHEAD`] per worker.
/// The first error (rendering or writing) stops everything.
fn in_order(
    count: usize,
    workers: usize,
    render: &(impl Fn(usize) -> io::Result<Vec<u8>> + Sync),
    mut write: impl FnMut(Vec<u8>) -> io::Result<()>,
) -> io::Result<()> {
    let workers = workers.clamp(1, count.max(1));
    if workers == 1 {
        return (0..count).try_for_each(|index| write(render(index)?));
    }
    std::thread::scope(|scope| {
        let queues: Vec<Receiver<io::Result<Vec<u8>>>> = (0..workers)
            .map(|worker| {
                let (sender, receiver) = sync_channel(AHEAD);
                scope.spawn(move || render_every(worker, workers, count, render, sender));
                receiver
            })
            .collect();
        for index in 0..count {
            // A worker stops early only after sending an error, so a missing
            // chunk means it panicked: the scope then re-raises the panic.
            match queues[index % workers].recv() {
                Ok(rendered) => write(rendered?)?,
                Err(_) => break,
            }
        }
        Ok(())
    })
}

/// One worker of [`in_order`]: renders its chunks until done, an error, or the
/// writer stops listening (it failed).
fn render_every(
    worker: usize,
    workers: usize,
    count: usize,
    render: &impl Fn(usize) -> io::Result<Vec<u8>>,
    sender: SyncSender<io::Result<Vec<u8>>>,
) {
    for index in (worker..count).step_by(workers) {
        let rendered = render(index);
        let failed = rendered.is_err();
        if sender.send(rendered).is_err() || failed {
            return;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn rendered(plan: &Plan, workers: usize, chunk: usize) -> String {
        let mut out = Vec::new();
        write_plan_with(plan, &mut out, workers, chunk).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Asserts that `plan` is written exactly as serde_json writes the whole
    /// `JsonPlan`, on any number of workers and chunk sizes (chunks of one
    /// item, boundaries in the middle, everything in one chunk).
    pub(crate) fn assert_same_as_serde(plan: &Plan) {
        let expected = serde_json::to_string_pretty(&json::to_json(plan)).unwrap() + "\n";
        for (workers, chunk) in [(1, CHUNK), (2, 1), (3, 2), (2, CHUNK), (4, 3)] {
            assert_eq!(
                rendered(plan, workers, chunk),
                expected,
                "{workers} workers, chunks of {chunk}"
            );
        }
    }

    #[test]
    fn an_empty_plan_is_written_as_serde_writes_it() {
        let policy = crate::plan::tests::vendor_policy();
        let day = crate::plan::tests::date("2026-03-18");
        let at = crate::plan::tests::local(&policy, day, "23:55");
        let plan = crate::plan::make_plan(&policy, &crate::inventory::Inventory::default(), at);
        assert!(plan.backups.is_empty() && plan.actions.is_empty());
        assert_same_as_serde(&plan);
    }

    #[test]
    fn a_failing_writer_stops_the_workers_with_its_error() {
        let written = in_order(100, 2, &|index| Ok(vec![b'x'; index]), |_| {
            Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "reader went away",
            ))
        });
        assert_eq!(written.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn a_failing_chunk_is_reported_after_the_chunks_before_it() {
        let mut written = Vec::new();
        let result = in_order(
            10,
            3,
            &|index| {
                if index == 4 {
                    Err(io::Error::other("chunk 4 failed"))
                } else {
                    Ok(vec![index as u8])
                }
            },
            |bytes| {
                written.extend(bytes);
                Ok(())
            },
        );
        assert_eq!(result.unwrap_err().to_string(), "chunk 4 failed");
        assert_eq!(written, [0, 1, 2, 3]);
    }
}
