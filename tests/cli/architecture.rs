//! The house: the library (`lib/`, crate `postmortem`) holds the domain and
//! never prints, prompts or exits; the `devops` binary (`src/`) parses,
//! calls one operation and renders. The crate boundary keeps the layers
//! apart (the library cannot name the binary's modules); these checks keep
//! the library's promises that the compiler cannot.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_library_depends_on_no_terminal_crate() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("lib/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let cargo: toml::Table = toml::from_str(&text).unwrap();
    let deps = cargo["dependencies"].as_table().unwrap();
    for ui in [
        "clap",
        "dialoguer",
        "comfy-table",
        "minijinja",
        "anstream",
        "anstyle",
    ] {
        assert!(
            !deps.contains_key(ui),
            "the library must not depend on {ui}"
        );
    }
}

#[test]
fn the_library_never_prints_prompts_or_exits() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("lib/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "{}", src.display());
    let forbidden = [
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
        "dbg!(",
        "process::exit",
        "stdin()",
        "stdout()",
        "stderr()",
    ];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // Tests may print what they like.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap();
            for bad in forbidden {
                assert!(
                    !line.contains(bad),
                    "{}:{}: the library must not `{bad}`: return it to the binary",
                    f.display(),
                    n + 1
                );
            }
        }
    }
}

/// Every dependency a manifest names is used by the code it builds: the
/// dependency tree stays lean (`[dev-dependencies]` by the tests, examples
/// and benches too).
#[test]
fn every_dependency_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (manifest, code, dev_code) in [
        ("Cargo.toml", vec!["src"], vec!["src", "tests", "examples"]),
        ("lib/Cargo.toml", vec!["lib/src"], vec!["lib/src"]),
    ] {
        let text = std::fs::read_to_string(root.join(manifest)).unwrap();
        let cargo: toml::Table = toml::from_str(&text).unwrap();
        for (section, dirs) in [("dependencies", &code), ("dev-dependencies", &dev_code)] {
            let Some(deps) = cargo.get(section).and_then(|d| d.as_table()) else {
                continue;
            };
            let mut files = Vec::new();
            for d in dirs {
                rust_files(&root.join(d), &mut files);
            }
            let sources: String = files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .collect();
            for name in deps.keys() {
                let rust = name.replace('-', "_");
                let used = [
                    format!("{rust}::"),
                    format!("use {rust}"),
                    format!("{rust}!"),
                ]
                .iter()
                .any(|p| sources.contains(p.as_str()));
                assert!(used, "{manifest} [{section}] {name} is not used: remove it");
            }
        }
    }
}
