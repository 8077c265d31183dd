//! The house, drawn from the imports: every `crate::…` a source file names
//! sits in its own layer or one below. No cycles between layers, and
//! nothing below imports `cli/` or `render/`.

use std::collections::BTreeSet;
use std::path::Path;

/// Bottom to top. A module may import its own layer and those before it.
const LAYERS: &[&[&str]] = &[
    &["error", "fsio", "text", "time", "trace", "output", "alloc"],
    &["record", "sources"],
    &["config", "people"],
    &["store"],
    &["metrics"],
    &["ctx"],
    &["ops", "templates", "prompt"],
    &["render"],
    &["cli", "main", "proptests"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("module `{module}` has no layer: add it to LAYERS"))
}

/// `src/store/commit.rs` → `store`; `src/ctx.rs` → `ctx`.
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_import_points_down_or_sideways() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges = BTreeSet::new();
    for file in &files {
        let from = module_of(file, &src);
        let text = std::fs::read_to_string(file).unwrap();
        // Test code may reach anywhere; only the shipped code is held to layers.
        let shipped = text.split("#[cfg(test)]").next().unwrap();
        for part in shipped.split("crate::").skip(1) {
            let to: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if to.is_empty() || to == from || to == "bail" {
                continue;
            }
            edges.insert((from.clone(), to));
        }
    }
    let mut wrong = Vec::new();
    for (from, to) in &edges {
        if layer_of(to) > layer_of(from) {
            wrong.push(format!("{from} → {to}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
    assert!(
        edges.len() > 30,
        "the scan found the imports ({})",
        edges.len()
    );
}
