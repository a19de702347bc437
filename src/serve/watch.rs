//! Watching the site's sources with notify and a debouncer that folds an
//! editor's atomic save (write a temp file, rename it over the original)
//! into one change. Watches site.yaml, content/, themes/ and templates/,
//! including those made (or deleted and made again) while serving.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// The folders watched with everything in them.
const FOLDERS: [&str; 3] = ["content", "themes", "templates"];

/// Changed paths, debounced. `rescan`: events were lost, rebuild in full.
#[derive(Debug, Default)]
pub(super) struct Batch {
    pub paths: Vec<PathBuf>,
    pub rescan: bool,
    /// Changed files that are where `serve` writes its own messages
    /// (`serve 2> content/serve.log`), left out of `paths`: a rebuild for
    /// one would write to it again, for ever. Given the first time only.
    pub own_output: Vec<PathBuf>,
}

/// The stream of batches; the watcher lives as long as it does.
pub(super) struct Changes {
    rx: mpsc::Receiver<DebounceEventResult>,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    /// The files standard output and error are (see [`own_output`]).
    own: Vec<FileId>,
    /// Whether a change to one of them was given in a batch already.
    own_told: bool,
}

/// A file as its file system knows it: device and inode.
type FileId = (u64, u64);

/// The files `serve`'s standard output and error are, when they are files
/// (`2> serve.log`), not a terminal or a pipe.
fn own_output() -> Vec<FileId> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let fds = [std::io::stdout().as_fd().try_clone_to_owned(), std::io::stderr().as_fd().try_clone_to_owned()];
        fds.into_iter()
            .flatten()
            .filter_map(|fd| std::fs::File::from(fd).metadata().ok())
            .filter(std::fs::Metadata::is_file)
            .map(|m| (m.dev(), m.ino()))
            .collect()
    }
    #[cfg(not(unix))]
    Vec::new()
}

/// The identity of the file at `path`, if it is one.
fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

impl Changes {
    /// Watch each of [`FOLDERS`] that exists; when one was made or removed
    /// (`changed` holds it), watch it anew: a watch ends with its folder,
    /// and a folder made after the start had none.
    fn rewatch(&mut self, changed: &[PathBuf]) {
        for dir in FOLDERS {
            let path = self.root.join(dir);
            if changed.is_empty() || changed.iter().any(|p| p == &path) {
                let _ = self.debouncer.unwatch(&path);
                if path.is_dir() {
                    let _ = self.debouncer.watch(&path, RecursiveMode::Recursive);
                }
            }
        }
    }
}

/// What waiting for changes ends with.
#[derive(Debug)]
pub(super) enum Next {
    Batch(Batch),
    /// Nothing changed for as long as the caller would wait.
    Quiet,
    /// The watcher is gone.
    End,
}

/// Where the rebuild loop's batches come from: the watcher, or a test's list.
pub(super) trait Batches {
    /// The next batch; with `quiet`, [`Next::Quiet`] once nothing has
    /// changed for that long.
    fn next_batch(&mut self, quiet: Option<Duration>) -> Next;
}

/// Batches from a list, never quiet (tests).
#[cfg(test)]
pub(super) struct Listed<I>(pub I);

#[cfg(test)]
impl<I: Iterator<Item = Batch>> Batches for Listed<I> {
    fn next_batch(&mut self, _quiet: Option<Duration>) -> Next {
        self.0.next().map_or(Next::End, Next::Batch)
    }
}

impl Batches for Changes {
    fn next_batch(&mut self, quiet: Option<Duration>) -> Next {
        loop {
            let result = match quiet {
                Some(wait) => match self.rx.recv_timeout(wait) {
                    Ok(r) => r,
                    Err(mpsc::RecvTimeoutError::Timeout) => return Next::Quiet,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return Next::End,
                },
                None => match self.rx.recv() {
                    Ok(r) => r,
                    Err(_) => return Next::End,
                },
            };
            if let Some(batch) = self.batch(result) {
                return Next::Batch(batch);
            }
        }
    }
}

impl Changes {
    /// The batch that begins with `result`, with whatever else is waiting;
    /// `None` when nothing in it changes the site.
    fn batch(&mut self, result: DebounceEventResult) -> Option<Batch> {
        let mut batch = Batch::default();
        let own = &self.own;
        let add = |r: DebounceEventResult, batch: &mut Batch| match r {
            Ok(events) => {
                for e in events {
                    batch.rescan |= e.need_rescan();
                    // reading files (our own rebuild does) and metadata touches change nothing
                    let relevant = matches!(
                        e.event.kind,
                        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other
                    ) || matches!(e.event.kind, EventKind::Modify(m) if !matches!(m, ModifyKind::Metadata(_)));
                    if !relevant {
                        continue;
                    }
                    for path in &e.event.paths {
                        if !own.is_empty() && file_id(path).is_some_and(|id| own.contains(&id)) {
                            batch.own_output.push(path.clone());
                        } else {
                            batch.paths.push(path.clone());
                        }
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
        match self.own_told {
            true => batch.own_output.clear(),
            false => self.own_told = !batch.own_output.is_empty(),
        }
        if batch.paths.is_empty() && !batch.rescan && batch.own_output.is_empty() {
            return None;
        }
        if batch.rescan {
            self.rewatch(&[]);
        } else {
            self.rewatch(&batch.paths);
        }
        batch.paths.sort();
        batch.paths.dedup();
        Some(batch)
    }
}

/// Start watching the site at `root`.
pub(super) fn start(root: &Path) -> anyhow::Result<Changes> {
    let (tx, rx) = mpsc::channel();
    let mut debouncer = new_debouncer(Duration::from_millis(10), None, tx)?;
    debouncer.watch(root, RecursiveMode::NonRecursive)?; // site.yaml; new top-level folders
    for dir in FOLDERS {
        let path = root.join(dir);
        if path.is_dir() {
            debouncer.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(Changes { rx, debouncer, root: root.to_path_buf(), own: own_output(), own_told: false })
}
