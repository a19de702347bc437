//! Watching the site's sources with notify and a debouncer that folds an
//! editor's atomic save (write a temp file, rename it over the original)
//! into one change. Watches site.yaml, content/, themes/ and templates/.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

/// Changed paths, debounced. `rescan`: events were lost, rebuild in full.
#[derive(Debug)]
pub struct Batch {
    pub paths: Vec<PathBuf>,
    pub rescan: bool,
}

/// The stream of batches; the watcher lives as long as it does.
pub struct Changes {
    rx: mpsc::Receiver<DebounceEventResult>,
    _debouncer: Box<dyn std::any::Any + Send>,
}

impl Iterator for Changes {
    type Item = Batch;
    fn next(&mut self) -> Option<Batch> {
        let result = self.rx.recv().ok()?;
        let mut batch = Batch { paths: Vec::new(), rescan: false };
        let add = |r: DebounceEventResult, batch: &mut Batch| match r {
            Ok(events) => {
                for e in events {
                    batch.rescan |= e.need_rescan();
                    // reading files (our own rebuild does) and metadata touches change nothing
                    let relevant = matches!(
                        e.event.kind,
                        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other
                    ) || matches!(e.event.kind, EventKind::Modify(m) if !matches!(m, ModifyKind::Metadata(_)));
                    if relevant {
                        batch.paths.extend(e.event.paths.iter().cloned());
                    }
                }
            }
            Err(_) => batch.rescan = true,
        };
        add(result, &mut batch);
        // whatever else is already waiting joins this batch
        while let Ok(more) = self.rx.try_recv() {
            add(more, &mut batch);
        }
        if batch.paths.is_empty() && !batch.rescan {
            return self.next();
        }
        batch.paths.sort();
        batch.paths.dedup();
        Some(batch)
    }
}

/// Start watching the site at `root`.
pub fn start(root: &Path) -> anyhow::Result<Changes> {
    let (tx, rx) = mpsc::channel();
    let mut debouncer = new_debouncer(Duration::from_millis(10), None, tx)?;
    debouncer.watch(root, RecursiveMode::NonRecursive)?; // site.yaml; new top-level folders
    for dir in ["content", "themes", "templates"] {
        let path = root.join(dir);
        if path.is_dir() {
            debouncer.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(Changes { rx, _debouncer: Box::new(debouncer) })
}
