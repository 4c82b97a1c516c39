//! Source: where lines come from. Files, standard input and gzip (by magic bytes), read in
//! bounded memory, one line at a time, with each line's position.

mod lines;

pub use lines::LineReader;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use flate2::read::MultiGzDecoder;

/// What the user named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSpec {
    Stdin,
    Path(PathBuf),
}

impl InputSpec {
    /// `-` is standard input; anything else a path.
    pub fn from_arg(arg: &std::ffi::OsStr) -> Self {
        if arg == "-" {
            InputSpec::Stdin
        } else {
            InputSpec::Path(PathBuf::from(arg))
        }
    }

    /// The name used in messages and in the export's `sources`.
    pub fn display_name(&self) -> String {
        match self {
            InputSpec::Stdin => "<stdin>".to_string(),
            InputSpec::Path(p) => p.display().to_string(),
        }
    }
}

/// An opened input, ready to be read line by line.
pub struct Input {
    pub name: String,
    /// Size on disk (compressed size for `.gz`), when known.
    pub size: Option<u64>,
    /// Modification time, used to give syslog timestamps a year.
    pub mtime: Option<SystemTime>,
    pub gzip: bool,
    /// A regular file (named, or redirected to stdin): all of it can be read without waiting.
    /// Otherwise a pipe, terminal, socket or device, where a read may wait for the writer.
    pub regular: bool,
    /// Bytes read from the underlying file so far (compressed bytes for `.gz`).
    pub bytes_read: Arc<AtomicU64>,
    pub reader: Box<dyn Read + Send>,
}

/// Why an input could not be opened. Displayed as one line; the caller prefixes the name.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("is a directory")]
    Directory,
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Counts the bytes that pass through, for the progress bar and the report.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Open an input. Gzip is recognised by its magic bytes, whatever the name.
pub fn open(spec: &InputSpec) -> Result<Input, OpenError> {
    open_at(spec, 0)
}

/// Open an input to read its text from byte `offset` on (of the text: inside a `.gz`, the
/// decompressed bytes before it are read and dropped). Standard input cannot skip.
pub fn open_at(spec: &InputSpec, offset: u64) -> Result<Input, OpenError> {
    let name = spec.display_name();
    let mut plain_offset = 0;
    let (raw, size, mtime, regular): (Box<dyn Read + Send>, _, _, _) = match spec {
        InputSpec::Stdin => (Box::new(io::stdin()), None, None, stdin_is_regular()),
        InputSpec::Path(path) => {
            let meta = std::fs::metadata(path)?;
            if meta.is_dir() {
                return Err(OpenError::Directory);
            }
            let mut file = File::open(path)?;
            if offset > 0 {
                let mut magic = [0u8; 2];
                let n = read_full(&mut file, &mut magic)?;
                if magic[..n] != GZIP_MAGIC {
                    plain_offset = offset;
                }
                file.seek(SeekFrom::Start(plain_offset))?;
            }
            (
                Box::new(file),
                Some(meta.len()),
                meta.modified().ok(),
                meta.is_file(),
            )
        }
    };
    let bytes_read = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: raw,
        count: Arc::clone(&bytes_read),
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, counted);
    let gzip = plain_offset == 0 && buffered.fill_buf()?.starts_with(&GZIP_MAGIC);
    let mut reader: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    if offset > plain_offset {
        io::copy(
            &mut (&mut reader).take(offset - plain_offset),
            &mut io::sink(),
        )?;
    }
    Ok(Input {
        name,
        size,
        mtime,
        gzip,
        regular,
        bytes_read,
        reader,
    })
}

/// Whether standard input is a regular file (`logmap events < auth.log`) rather than a pipe
/// or a terminal.
fn stdin_is_regular() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(File::from)
            .and_then(|f| f.metadata().ok())
            .is_some_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Read until `buf` is full or the input ends; how many bytes were read.
pub fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Total size on disk of the named paths (for the progress bar); stdin counts zero.
pub fn total_size(specs: &[InputSpec]) -> u64 {
    specs
        .iter()
        .filter_map(|s| match s {
            InputSpec::Path(p) => std::fs::metadata(Path::new(p)).ok().map(|m| m.len()),
            InputSpec::Stdin => None,
        })
        .sum()
}
