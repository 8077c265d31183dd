//! The example records and the demo script stay valid.

use crate::support::*;

#[test]
fn the_demo_script_builds_a_repository_the_tool_reads() {
    let repo = TestRepo::new();
    let demo = repo.home.path().join("demo");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(&demo)
        .env("DEVOPS", assert_cmd::cargo::cargo_bin!("devops"))
        .env("HOME", repo.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("DEVOPS_PM_NOW", NOW)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = repo.pm_in(&demo, &["list", "--all", "--json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(stderr(&listed), "", "every example record parses");
    let v: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    let status = repo.git_in(&demo, &["status", "--porcelain"]);
    assert_eq!(status, "");
    let assigned = repo.git_in(&demo, &["log", "-1", "--format=%s"]);
    assert!(
        assigned.starts_with("postmortem: assign PM-20261123-d7kq3wne"),
        "{assigned}"
    );
}
