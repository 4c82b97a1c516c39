//! Every input the fuzzers found a problem with, replayed on the stable toolchain through the
//! same checks the fuzz targets run (`fuzz/src/lib.rs`, compiled in here), so `cargo test`
//! keeps them fixed. Inputs live in `fuzz/regressions/<target>/`; the seed corpora in
//! `fuzz/corpus-seed/<target>/` are replayed too (cheap, and they catch a target broken by an
//! API change before anyone fuzzes). See fuzz/README.md.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod checks;

use std::path::{Path, PathBuf};

fn inputs(dir: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(dir)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// Run `check` on every saved input of `target`; a failure names the file.
fn replay(target: &str, check: fn(&[u8]), dirs: &[&str]) -> usize {
    let mut n = 0;
    for dir in dirs {
        for path in inputs(dir, target) {
            let data = std::fs::read(&path).expect("read input");
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(result.is_ok(), "{} fails again", path.display());
            n += 1;
        }
    }
    n
}

macro_rules! targets {
    ($($name:ident),* $(,)?) => {
        mod regressions {
            $(
                #[test]
                fn $name() {
                    super::replay(stringify!($name), super::checks::$name, &["regressions"]);
                }
            )*
        }
        mod seeds {
            $(
                #[test]
                fn $name() {
                    let n = super::replay(stringify!($name), super::checks::$name, &["corpus-seed"]);
                    assert!(n > 0, "no seed inputs for {}", stringify!($name));
                }
            )*
        }
    };
}

targets!(
    extract_scan,
    sshd_classify,
    parse_sshd,
    parse_ufw,
    parse_web,
    parse_journal,
    parse_cowrie,
    parse_generic,
    detect,
    line_reader,
    source_open,
    pipeline,
    pipeline_chunked,
);
