//! `demo`: a throwaway team repository with a few incidents, to see the
//! main job (the daily review) without touching any real repository.

use postmortem::error::{Context, Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = r#"severities = ["SEV1", "SEV2", "SEV3", "SEV4"]
services = ["payments", "card-gateway", "auth", "web", "search"]
timezone = "+09:00"

[review_days]
SEV1 = 3
SEV2 = 5
default = 10

[[people]]
name = "Bob Lee"
email = "bob@example.com"
handle = "bob"

[[people]]
name = "이지은"
email = "jieun@example.com"
handle = "jieun"

[[people]]
name = "김민수"
email = "minsu@example.com"
handle = "minsu"
"#;

/// The example records, committed as a teammate would have.
const RECORDS: [(&str, &str); 3] = [
    (
        "PM-20261103-q2ahxk7m",
        include_str!("../../examples/records/PM-20261103-q2ahxk7m.toml"),
    ),
    (
        "PM-20261118-m4tzc6pd",
        include_str!("../../examples/records/PM-20261118-m4tzc6pd.toml"),
    ),
    (
        "PM-20261123-d7kq3wne",
        include_str!("../../examples/records/PM-20261123-d7kq3wne.toml"),
    ),
];

/// Builds the demo repository in `dir` (a new folder in the system's temp
/// folder when `None`, kept for you to explore) and returns its path.
pub fn build(dir: Option<&Path>) -> Result<PathBuf> {
    let dir = folder(dir)?;
    team_repository(&dir)?;
    changes_by_the_tool(&dir)?;
    Ok(dir)
}

/// A new or empty folder, or one made in the temp folder (kept for you).
fn folder(dir: Option<&Path>) -> Result<PathBuf> {
    let Some(d) = dir else {
        return Ok(tempfile::Builder::new()
            .prefix("devops-pm-demo-")
            .tempdir()
            .context(|| "cannot make a folder for the demo".to_string())?
            .keep());
    };
    std::fs::create_dir_all(d).context(|| format!("cannot create {}", d.display()))?;
    if std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some()) {
        return Err(Error::usage(format!(
            "{} is not empty: the demo builds a repository of its own",
            d.display()
        ))
        .hint("give a new folder, or none for one in the temp folder"));
    }
    Ok(d.to_path_buf())
}

/// `cmd` run in `dir` with none of the person's own repository settings
/// (GIT_DIR and the like) and the demo's own records settings.
fn isolated(mut cmd: Command, dir: &Path) -> Command {
    cmd.current_dir(dir);
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_OBJECT_DIRECTORY",
        "DEVOPS_PM_DIR",
        "DEVOPS_PM_BRANCH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `program ARGS` in the demo folder; its stdout, or an error with
/// what it said.
fn run(program: &Path, dir: &Path, args: &[&str]) -> Result<String> {
    let out = isolated(Command::new(program), dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .context(|| format!("cannot run {}", program.display()))?;
    if !out.status.success() {
        return Err(Error::new(format!(
            "{} {} failed in the demo: {}",
            program.display(),
            args.join(" "),
            postmortem::error::one_line(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The team's code on `main`, and the records branch as a teammate made
/// it: the config and three records, only those.
fn team_repository(dir: &Path) -> Result<()> {
    let git = |args: &[&str]| run(Path::new("git"), dir, args).map(|_| ());
    git(&["init", "-q", "-b", "main"])?;
    git(&["config", "user.name", "Demo User"])?;
    git(&["config", "user.email", "demo@example.com"])?;
    write(
        dir,
        "README.md",
        "# A team's service\n\nThe code lives on main; its post-mortems on the postmortems branch.\n",
    )?;
    git(&["add", "README.md"])?;
    git(&["commit", "-q", "-m", "A team's service"])?;
    git(&["checkout", "-q", "--orphan", "postmortems"])?;
    git(&["rm", "-rfq", "."])?;
    write(dir, "postmortems/config.toml", CONFIG)?;
    git(&["add", "postmortems/config.toml"])?;
    git(&[
        "commit",
        "-q",
        "-m",
        "postmortem: init postmortems/config.toml\n\nPostmortem-Action: init",
    ])?;
    for (id, text) in RECORDS {
        let rel = format!("postmortems/{}/{}/{id}.toml", &id[3..7], &id[7..9]);
        write(dir, &rel, text)?;
        git(&["add", &rel])?;
        let message =
            format!("postmortem: import {id}\n\nPostmortem-Id: {id}\nPostmortem-Action: import");
        git(&["commit", "-q", "-m", &message])?;
    }
    git(&["checkout", "-q", "main"])
}

/// A few changes through the tool itself: one commit each.
fn changes_by_the_tool(dir: &Path) -> Result<()> {
    let exe = std::env::current_exe().context(|| "cannot find the devops binary".to_string())?;
    let devops = |args: &[&str]| {
        let mut all = vec!["postmortem"];
        all.extend_from_slice(args);
        run(&exe, dir, &all)
    };
    devops(&["assign", "d7kq", "jieun"])?;
    let id = devops(&[
        "new",
        "--title",
        "주문 API 504 오류",
        "--severity",
        "SEV2",
        "--service",
        "web",
        "--started",
        "90m ago",
        "--detected",
        "80m ago",
    ])?;
    devops(&[
        "timeline",
        "add",
        &id,
        "--at",
        "75m ago",
        "On-call paged; rollback of the 14:00 deploy started",
    ])?;
    Ok(())
}

fn write(dir: &Path, rel: &str, text: &str) -> Result<()> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&path, text).context(|| format!("cannot write {}", path.display()))
}
