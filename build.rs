//! Embeds the map page's front-end into the binary.
//!
//! Third-party code (Leaflet, its heat-map plugin, supercluster, topojson-client, the
//! world-atlas basemap) is pinned in `web/package.json` + `web/package-lock.json` and never committed:
//! when `web/node_modules` is missing or holds other versions than the pins, this script runs
//! `npm ci` in `web/`. It then inlines those files with our own `web/src/*` into the page
//! template and writes the page's three parts (before the data, between the data's JSON and its
//! columns, after the columns) into `OUT_DIR`,
//! along with the page's Content-Security-Policy, whose script and style hashes are computed
//! here from the exact inlined text.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// Third-party packages whose pinned version must be installed, with the files we read.
const PACKAGES: &[(&str, &[&str])] = &[
    ("leaflet", &["dist/leaflet.js", "dist/leaflet.css"]),
    ("supercluster", &["dist/supercluster.min.js"]),
    ("leaflet.heat", &["dist/leaflet-heat.js"]),
    ("topojson-client", &["dist/topojson-client.min.js"]),
    ("world-atlas", &["countries-50m.json"]),
];

/// Online tile servers the page may load images from, once the user picks such a layer.
const TILE_HOSTS: &str = "https://tile.openstreetmap.org https://*.basemaps.cartocdn.com";

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let web = root.join("web");
    for p in [
        "src",
        "package.json",
        "package-lock.json",
        "node_modules/.package-lock.json",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(p).display());
    }

    let modules = web.join("node_modules");
    if let Some(why) = missing_modules(&web, &modules) {
        install(&web, &why);
        if let Some(why) = missing_modules(&web, &modules) {
            fail(&format!("`npm ci` ran in {} but {why}", web.display()));
        }
    }

    // The HTML parser turns CR LF and CR into LF before the browser hashes an inline element,
    // so the text is normalised the same way here.
    let read = |p: &Path| {
        let text = fs::read_to_string(p)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", p.display())));
        text.trim_start_matches('\u{feff}')
            .replace("\r\n", "\n")
            .replace('\r', "\n")
    };
    let dist = |pkg: &str, file: &str| read(&modules.join(pkg).join(file));
    let own = |file: &str| read(&web.join("src").join(file));

    let leaflet_css = inline_images(
        &dist("leaflet", "dist/leaflet.css"),
        &modules.join("leaflet/dist"),
    );
    let style = [leaflet_css, own("map.css")].join("\n");
    let script = [
        dist("leaflet", "dist/leaflet.js"),
        dist("supercluster", "dist/supercluster.min.js"),
        dist("leaflet.heat", "dist/leaflet-heat.js"),
        dist("topojson-client", "dist/topojson-client.min.js"),
        own("map.js"),
    ]
    .join("\n;\n");
    let world = script_safe_json(&dist("world-atlas", "countries-50m.json"));

    for (name, text, closer) in [
        ("script", &script, "</script"),
        ("style", &style, "</style"),
    ] {
        if text.to_ascii_lowercase().contains(closer) {
            fail(&format!(
                "the inlined {name} contains `{closer}` and would end its element early"
            ));
        }
    }

    let csp = format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data: {TILE_HOSTS}; \
         connect-src 'none'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'",
        base64(&Sha256::digest(script.as_bytes())),
        base64(&Sha256::digest(style.as_bytes())),
    );

    let template = own("template.html");
    let (head, mid, tail) = fill(
        &template,
        &[
            ("CSP", &csp),
            ("STYLE", &style),
            ("WORLD", &world),
            ("SCRIPT", &script),
        ],
    );

    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    write(&out.join("web_head.html"), &head);
    write(&out.join("web_mid.html"), &mid);
    write(&out.join("web_tail.html"), &tail);
    let rs = format!(
        "/// The page up to the data element's content.\n\
         pub const HEAD: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/web_head.html\"));\n\
         /// The page between the data element's content and the columns element's.\n\
         pub const MID: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/web_mid.html\"));\n\
         /// The page after the columns element's content.\n\
         pub const TAIL: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/web_tail.html\"));\n\
         /// The page's Content-Security-Policy.\n\
         #[allow(dead_code)]\n\
         pub const CSP: &str = {csp:?};\n"
    );
    write(&out.join("web_assets.rs"), &rs);
}

/// Why `node_modules` cannot be used as it is, or `None` when every pinned package is there.
fn missing_modules(web: &Path, modules: &Path) -> Option<String> {
    let manifest = fs::read_to_string(web.join("package.json")).ok()?;
    for (pkg, files) in PACKAGES {
        let Some(pin) = pinned_version(&manifest, pkg) else {
            fail(&format!(
                "web/package.json does not pin an exact version of {pkg}"
            ));
        };
        let installed = fs::read_to_string(modules.join(pkg).join("package.json")).ok();
        let version = installed
            .as_deref()
            .and_then(|m| pinned_version(m, "version"));
        if version.as_deref() != Some(pin.as_str()) {
            return Some(format!("{pkg} {pin} is not installed (found {version:?})"));
        }
        if let Some(f) = files.iter().find(|f| !modules.join(pkg).join(f).is_file()) {
            return Some(format!("{pkg}/{f} is missing"));
        }
    }
    None
}

/// The string value of `"key": "value"` in a JSON text (enough for package manifests).
fn pinned_version(json: &str, key: &str) -> Option<String> {
    let at = json.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = json[at..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let value = &rest[..rest.find('"')?];
    value
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.')
        .then(|| value.to_string())
}

fn install(web: &Path, why: &str) {
    println!("cargo:warning=installing the map's front-end dependencies with `npm ci` ({why})");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(web)
        .status()
        .unwrap_or_else(|e| {
            fail(&format!(
                "cannot run npm ({e}). The HTML map embeds Leaflet and the world basemap from npm \
                 packages: install Node.js and npm, or run `npm ci` in {} on a machine that has them",
                web.display()
            ))
        });
    if !status.success() {
        fail(&format!("`npm ci` in {} failed ({status})", web.display()));
    }
}

/// Replaces each `url(images/NAME.png)` in Leaflet's CSS by a data: URI, so the page
/// requests no file.
fn inline_images(css: &str, dir: &Path) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("url(images/") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let Some(end) = after.find(')') else { break };
        let name = after[..end].trim_matches(|c| c == '"' || c == '\'');
        let bytes = fs::read(dir.join(name))
            .unwrap_or_else(|e| fail(&format!("cannot read leaflet's {name}: {e}")));
        let mime = if name.ends_with(".svg") {
            "image/svg+xml"
        } else {
            "image/png"
        };
        let _ = write!(out, "url(data:{mime};base64,{})", base64(&bytes));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// JSON made safe inside `<script>`: the same escapes as the page's data element.
fn script_safe_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Splits the template at `{{DATA}}` and `{{COLUMNS}}` (in that order), filling the other
/// `{{NAME}}` markers on the way.
fn fill(template: &str, values: &[(&str, &str)]) -> (String, String, String) {
    let mut filled =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let (mut data_at, mut columns_at) = (None, None);
    let mut rest = template;
    while let Some(at) = rest.find("{{") {
        filled.push_str(&rest[..at]);
        let Some(end) = rest[at..].find("}}") else {
            fail("unclosed {{ in web/src/template.html")
        };
        let name = &rest[at + 2..at + end];
        if name == "DATA" {
            data_at = Some(filled.len());
        } else if name == "COLUMNS" {
            columns_at = Some(filled.len());
        } else if let Some((_, v)) = values.iter().find(|(n, _)| *n == name) {
            filled.push_str(v);
        } else {
            fail(&format!(
                "unknown marker {{{{{name}}}}} in web/src/template.html"
            ));
        }
        rest = &rest[at + end + 2..];
    }
    filled.push_str(rest);
    let data = data_at.unwrap_or_else(|| fail("web/src/template.html has no {{DATA}} marker"));
    let columns = columns_at
        .filter(|&c| c >= data)
        .unwrap_or_else(|| fail("web/src/template.html has no {{COLUMNS}} marker after {{DATA}}"));
    let tail = filled.split_off(columns);
    let mid = filled.split_off(data);
    (filled, mid, tail)
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn write(path: &Path, text: &str) {
    fs::write(path, text)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", path.display())));
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    panic!("logmap build: {msg}");
}
