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

/// Found by `parse_sshd` (`fuzz/regressions/parse_sshd/address-from-glued-timestamp`): a syslog
/// time glued to the next word (`Dec  3 08:00:38::2[`) was taken as the line's prefix, and the
/// address scanner, started after it, made `::2` out of the time's last digits.
#[test]
fn a_time_glued_to_the_next_word_is_no_syslog_prefix() {
    use logmap::parse::{Format, LineCtx};
    let ctx = LineCtx {
        source: 0,
        line_no: 1,
    };
    for line in [&b"Dec  3 08:00:38::2["[..], b"Dec  3 08:00:301:db8::C=x y"] {
        let mut p = checks::parser(Format::Sshd);
        let mut ips = Vec::new();
        p.parse_line(line, ctx, &mut |ev| ips.push(ev.ip.to_string()));
        assert!(
            !ips.iter().any(|ip| ip == "::2" || ip == "1:db8::c"),
            "{:?}: {ips:?}",
            String::from_utf8_lossy(line)
        );
    }
    // A time followed by a space is still one.
    let mut p = checks::parser(Format::Sshd);
    let mut n = 0;
    p.parse_line(
        b"Dec  3 08:00:38 h sshd[1]: Invalid user a from 192.0.2.1 port 2",
        ctx,
        &mut |ev| {
            assert_eq!(ev.ip.to_string(), "192.0.2.1");
            assert!(ev.ts.is_some());
            n += 1;
        },
    );
    assert_eq!(n, 1);
}
