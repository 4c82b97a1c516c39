//! `logmap summary --map`: the world map in the terminal, through the real binary — piped (80
//! columns or `$COLUMNS`), and in real terminals of 80×24 and 200×60 made by `tmux`, read back
//! with `capture-pane`, with colour and with `NO_COLOR`.
//!
//! The tmux tests are skipped when tmux is missing, except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_logmap")
}

/// The project's demo log: an SSH auth.log with attackers from many countries.
fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/auth.log")
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin());
    c.env_remove("NO_COLOR").env_remove("COLUMNS");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.args(args).output().expect("run logmap")
}

fn is_braille(c: char) -> bool {
    ('\u{2801}'..='\u{28ff}').contains(&c)
}

/// The map's lines: from the top of the output down to (not including) the legend's key line.
fn map_lines(text: &str) -> Vec<&str> {
    text.lines()
        .take_while(|l| !l.contains("address  "))
        .collect()
}

fn width(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn piped_map_is_80_columns_or_columns_wide_and_plain() {
    let o = run(&["summary", "--map", demo().to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when piped");
    let map = map_lines(&text);
    assert!((15..=20).contains(&map.len()), "{} map lines", map.len());
    assert!(map.iter().all(|l| width(l) <= 80));
    assert!(map.iter().any(|l| width(l) >= 76), "uses the width");
    let chars: String = map.concat();
    assert!(
        chars.chars().filter(|&c| is_braille(c)).count() > 300,
        "land"
    );
    assert!(chars.contains('•') || chars.contains('●'), "addresses");
    // ranks 1 and 2 of the demo log are both in Nanjing: one cell shows 1, the legend says so
    for rank in ['1', '3', '4', '5'] {
        assert!(chars.contains(rank), "rank {rank} on the map");
    }
    assert!(!chars.contains('2'));
    assert!(text.contains("Nanjing, CN (at 1)"), "{text}");
    // the legend ranks the addresses with most failed logins, the summary follows
    let after: Vec<&str> = text.lines().skip(map.len()).collect();
    assert!(after[0].contains("most failed logins"), "{}", after[0]);
    assert!(after[1].trim_start().starts_with("1 ") && after[1].contains("failed"));
    assert!(text.contains("TOTALS"));

    let o = run(
        &["summary", "--map", demo().to_str().unwrap()],
        &[("COLUMNS", "150")],
    );
    let text = String::from_utf8(o.stdout).unwrap();
    let map = map_lines(&text);
    assert!(map.iter().all(|l| width(l) <= 150));
    assert!(map.iter().any(|l| width(l) >= 140));
    assert!(map.len() > 25, "taller with the width: {}", map.len());

    // a narrow terminal: the legend is wrapped to the map's width, not cut
    let o = run(
        &["summary", "--map", demo().to_str().unwrap()],
        &[("COLUMNS", "40")],
    );
    let text = String::from_utf8(o.stdout).unwrap();
    let map = map_lines(&text);
    let legend: Vec<&str> = text.lines().skip(map.len()).take(2).collect();
    assert_eq!(
        legend,
        [
            "• address  ● 10+ in one place",
            "1-5 most failed logins  17 addresses"
        ],
        "{text}"
    );
}

#[test]
fn block_style_draws_half_blocks_and_colour_when_asked() {
    let o = run(
        &[
            "summary",
            "--map=blocks",
            "--color",
            "always",
            demo().to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let map = map_lines(&text).concat();
    assert!(map.contains('█') && (map.contains('▀') || map.contains('▄')));
    assert!(!map.chars().any(is_braille));
    // ranks in bold red, land dim
    assert!(map.contains("\x1b[1m\x1b[31m1"), "rank 1 in bold red");
    assert!(map.contains("\x1b[2m"), "dim land");

    let o = run(
        &["summary", "--map", "--json", demo().to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--map"));
}

#[test]
fn a_log_with_no_public_address_still_draws_the_map_and_says_so() {
    let d = tempfile::tempdir().unwrap();
    let log = d.path().join("private.log");
    std::fs::write(
        &log,
        "Nov 23 06:34:41 h sshd[1]: Failed password for root from 10.0.0.5 port 36168 ssh2\n",
    )
    .unwrap();
    let o = run(&["summary", "--map", log.to_str().unwrap()], &[]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("(none has a location)"), "{text}");
}

// ---------- tmux ----------

/// A tmux server of our own (its own socket), with no status line, so the pane is the whole
/// terminal. Killed when dropped.
struct Tmux {
    socket: String,
    conf: tempfile::NamedTempFile,
}

impl Tmux {
    fn new() -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("tmux is missing (.ci/run installs it)");
            }
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        let conf = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            conf.path(),
            "set -g status off\nset -g history-limit 5000\n",
        )
        .unwrap();
        Some(Tmux {
            socket: format!(
                "logmap-test-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            )
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', ""),
            conf,
        })
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f"])
            .arg(self.conf.path())
            .args(args)
            .output()
            .expect("tmux")
    }

    /// Run `logmap ARGS` in a `cols`×`rows` terminal; the whole screen history afterwards, with
    /// escape sequences when `escapes`.
    fn screen(&self, cols: u16, rows: u16, env: &str, args: &[&str], escapes: bool) -> String {
        let cmd = format!(
            "env -u NO_COLOR -u COLUMNS {env} {} {}; echo __DONE__; sleep 60",
            bin(),
            args.join(" ")
        );
        let o = self.tmux(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
            &cmd,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let start = Instant::now();
        loop {
            let mut a = vec!["capture-pane", "-p", "-J", "-S", "-", "-t", "t"];
            if escapes {
                a.push("-e");
            }
            let text = String::from_utf8_lossy(&self.tmux(&a).stdout).into_owned();
            if text.contains("__DONE__") {
                let _ = self.tmux(&["kill-session", "-t", "t"]);
                return text;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "timed out: {text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

#[test]
fn tmux_80x24_the_map_and_legend_fit_one_screen() {
    let Some(t) = Tmux::new() else { return };
    let log = demo();
    let text = t.screen(
        80,
        24,
        "",
        &["summary", "--map", log.to_str().unwrap()],
        false,
    );
    let map = map_lines(&text);
    let legend = 1 + 5;
    assert!(
        map.len() + legend < 24,
        "{} map lines + {legend} legend lines fit in 24: {text}",
        map.len()
    );
    assert!(map.len() >= 14, "{}", map.len());
    assert!(map.iter().all(|l| width(l) <= 80));
    assert!(map.iter().any(|l| width(l) >= 76), "full width: {text}");
    assert!(map.concat().chars().filter(|&c| is_braille(c)).count() > 300);
    assert!(map.concat().contains('1'));
}

#[test]
fn tmux_200x60_uses_the_whole_width() {
    let Some(t) = Tmux::new() else { return };
    let log = demo();
    let text = t.screen(
        200,
        60,
        "",
        &["summary", "--map", log.to_str().unwrap()],
        false,
    );
    let map = map_lines(&text);
    assert!(map.iter().all(|l| width(l) <= 200));
    assert!(map.iter().any(|l| width(l) >= 190), "full width: {text}");
    assert!(
        map.len() >= 40 && map.len() + 6 < 60,
        "{} map lines",
        map.len()
    );
    // finer than at 80 columns: more land dots
    assert!(map.concat().chars().filter(|&c| is_braille(c)).count() > 2000);
}

#[test]
fn tmux_colour_only_when_colour_is_on() {
    let Some(t) = Tmux::new() else { return };
    let log = demo();
    let args = ["summary", "--map", log.to_str().unwrap()];
    // a terminal: colour by default; the ranks are red
    let coloured = t.screen(100, 40, "", &args, true);
    let map = map_lines(&coloured).concat();
    assert!(map.contains('\x1b'), "colour on a terminal");
    assert!(map.contains("31m"), "red markers or ranks: {map}");
    // NO_COLOR: the same map without one escape sequence
    let plain = t.screen(100, 40, "NO_COLOR=1", &args, true);
    assert!(!plain.contains('\x1b'), "NO_COLOR: {plain}");
    let strip = |s: &str| {
        let mut out = String::new();
        let mut it = s.chars();
        while let Some(c) = it.next() {
            if c == '\x1b' {
                for d in it.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    let a: Vec<String> = map_lines(&coloured).iter().map(|l| strip(l)).collect();
    let b: Vec<String> = map_lines(&plain).iter().map(|l| l.to_string()).collect();
    assert_eq!(
        a.iter().map(|l| l.trim_end()).collect::<Vec<_>>(),
        b.iter().map(|l| l.trim_end()).collect::<Vec<_>>()
    );
}
