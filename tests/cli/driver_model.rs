//! A property test of the write driver against a model: the records
//! branch checked out in a linked work tree (the layout where our index
//! and files must follow the branch), random sequences of our writes
//! (some killed at a named point of the write) interleaved with the
//! user's own git in that work tree (edits, `add`, `commit -a`,
//! `reset --hard`, `stash`, leaving the branch and coming back). After
//! every step the repository, read with the git CLI and an independent
//! TOML parse, must equal the model: what the branch holds, what the
//! user has staged and unstaged, and the main work tree untouched.

use crate::support::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

const RECORDS: usize = 2;
const KILL_POINTS: [&str; 6] = [
    "planned",
    "staged",
    "journaled",
    "locked",
    "written",
    "moved",
];

#[derive(Debug, Clone)]
enum Step {
    /// `devops pm assign` on record `record`, optionally killed at a point.
    Assign {
        record: usize,
        kill_at: Option<&'static str>,
    },
    /// The user appends a comment line to the record's file.
    Edit(usize),
    /// `git add` of the record's file.
    Stage(usize),
    CommitAll,
    ResetHard,
    Stash,
    /// `git checkout --detach`, then (`Back`) the branch again.
    LeaveBranch,
    Back,
}

fn step() -> impl Strategy<Value = Step> {
    let record = 0..RECORDS;
    let kill = prop::option::weighted(0.4, prop::sample::select(KILL_POINTS.to_vec()));
    prop_oneof![
        4 => (record.clone(), kill).prop_map(|(record, kill_at)| Step::Assign { record, kill_at }),
        3 => record.clone().prop_map(Step::Edit),
        2 => record.prop_map(Step::Stage),
        1 => Just(Step::CommitAll),
        1 => Just(Step::ResetHard),
        1 => Just(Step::Stash),
        1 => Just(Step::LeaveBranch),
        1 => Just(Step::Back),
    ]
}

/// What the user has done to a record's file and not committed.
#[derive(Debug, Clone, Copy, Default)]
struct Edited {
    staged: bool,
    unstaged: bool,
}

/// What the repository should hold.
#[derive(Debug, Default)]
struct Model {
    /// Per record, the assignee on the branch.
    assignee: Vec<String>,
    /// Per record, the user's comment lines committed on the branch.
    committed_notes: Vec<Vec<String>>,
    /// Per record, the user's uncommitted edit in the work tree.
    edited: BTreeMap<usize, Edited>,
    on_branch: bool,
    writes: usize,
}

struct World {
    repo: TestRepo,
    worktree: PathBuf,
    ids: Vec<String>,
    paths: Vec<String>,
    main_status: String,
    main_index: Vec<u8>,
    notes: usize,
}

impl World {
    fn new() -> (World, Model) {
        let repo = TestRepo::new();
        let ids: Vec<String> = (0..RECORDS)
            .map(|i| repo.new_record(&format!("Incident {i}"), &[]))
            .collect();
        let paths = ids.iter().map(|id| repo.record_path(id)).collect();
        let worktree = repo.records_worktree();
        std::fs::write(worktree.join("scratch.txt"), "the user's own file\n").unwrap();
        repo.write("main.rs", "fn main() { todo!() }\n");
        repo.git(&["add", "main.rs"]);
        let world = World {
            main_status: repo.git(&["status", "--porcelain=v2", "--untracked-files=all"]),
            main_index: std::fs::read(repo.path().join(".git/index")).unwrap(),
            repo,
            worktree,
            ids,
            paths,
            notes: 0,
        };
        let model = Model {
            assignee: vec![String::new(); RECORDS],
            committed_notes: vec![Vec::new(); RECORDS],
            on_branch: true,
            ..Model::default()
        };
        (world, model)
    }

    fn git(&self, args: &[&str]) -> String {
        self.repo.git_in(&self.worktree, args)
    }

    fn file(&self, record: usize) -> PathBuf {
        self.worktree.join(&self.paths[record])
    }

    fn run(&mut self, model: &mut Model, step: &Step) {
        match *step {
            Step::Assign { record, kill_at } => self.assign(model, record, kill_at),
            Step::Edit(r) if model.on_branch => {
                self.notes += 1;
                let mut text = std::fs::read_to_string(self.file(r)).unwrap();
                text.push_str(&format!("# note {}\n", self.notes));
                std::fs::write(self.file(r), text).unwrap();
                model.edited.entry(r).or_default().unstaged = true;
            }
            Step::Stage(r) if model.edited.contains_key(&r) => {
                self.git(&["add", "--", &self.paths[r]]);
                model.edited.insert(
                    r,
                    Edited {
                        staged: true,
                        unstaged: false,
                    },
                );
            }
            Step::CommitAll if !model.edited.is_empty() => {
                self.git(&["commit", "-q", "-a", "-m", "notes"]);
                for (&r, _) in std::mem::take(&mut model.edited).iter() {
                    model.committed_notes[r] = self.notes_in(r);
                }
            }
            Step::ResetHard if model.on_branch => {
                self.git(&["reset", "-q", "--hard"]);
                model.edited.clear();
            }
            Step::Stash if !model.edited.is_empty() => {
                self.git(&["stash", "-q"]);
                model.edited.clear();
            }
            Step::LeaveBranch if model.on_branch && model.edited.is_empty() => {
                self.git(&["checkout", "-q", "--detach"]);
                model.on_branch = false;
            }
            Step::Back if !model.on_branch => {
                self.git(&["checkout", "-q", "postmortems"]);
                model.on_branch = true;
            }
            _ => {}
        }
    }

    /// The comment lines in the work tree's copy of a record.
    fn notes_in(&self, record: usize) -> Vec<String> {
        let text = std::fs::read_to_string(self.file(record)).unwrap();
        text.lines()
            .filter(|l| l.starts_with("# note "))
            .map(str::to_string)
            .collect()
    }

    fn assign(&mut self, model: &mut Model, record: usize, kill_at: Option<&'static str>) {
        model.writes += 1;
        let who = format!("Person {} <p{}@example.com>", model.writes, model.writes);
        let mut cmd = self.repo.cmd_in(self.repo.path());
        if let Some(point) = kill_at {
            cmd.env("DEVOPS_PM_TEST_POINT", point);
        }
        let out = cmd
            .args(["postmortem", "assign", &self.ids[record], &who])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains("panicked"), "{stderr}");
        let refused = model.on_branch && model.edited.contains_key(&record);
        let lands = !refused && landed(kill_at, model.on_branch);
        match (kill_at.is_some(), out.status.success()) {
            (false, ok) => assert_eq!(ok, !refused, "assign: {stderr}"),
            (true, true) => assert!(lands, "a write killed at {kill_at:?} finished"),
            (true, false) => {}
        }
        if lands {
            model.assignee[record] = who;
        }
        // The next command of ours finishes or undoes a killed write.
        self.repo.ok(&["list", "--all"]);
    }

    fn check(&self, model: &Model) {
        let branch_notes = self.check_branch(model);
        self.check_worktree(model, &branch_notes);
        assert_eq!(
            self.repo
                .git(&["status", "--porcelain=v2", "--untracked-files=all"]),
            self.main_status,
            "the main work tree changed"
        );
        assert_eq!(
            std::fs::read(self.repo.path().join(".git/index")).unwrap(),
            self.main_index,
            "the main index changed"
        );
        let git_dir = self.repo.path().join(".git");
        let leftovers: Vec<_> = [git_dir.clone(), git_dir.join("worktrees/pm")]
            .iter()
            .flat_map(|d| std::fs::read_dir(d).unwrap().flatten())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| {
                n.contains("journal") || n == "index.lock" || n.contains("postmortem-index")
            })
            .collect();
        assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    }

    /// The branch holds the model's assignees and committed notes, and
    /// every record parses. Returns each record's text on the branch.
    fn check_branch(&self, model: &Model) -> Vec<String> {
        (0..RECORDS)
            .map(|r| {
                let text = self
                    .repo
                    .git(&["show", &format!("postmortems:{}", self.paths[r])]);
                let table: toml::Table = toml::from_str(&text)
                    .unwrap_or_else(|e| panic!("record {r} does not parse: {e}\n{text}"));
                assert_eq!(s(&table, "assignee"), model.assignee[r], "record {r}");
                for note in &model.committed_notes[r] {
                    assert!(
                        text.contains(note.as_str()),
                        "{note} lost from {r}:\n{text}"
                    );
                }
                text
            })
            .collect()
    }

    /// `git status` in the records work tree is exactly the user's edits
    /// (and their untracked file); every other record's file and index
    /// entry are the branch's when it is checked out.
    fn check_worktree(&self, model: &Model, branch_text: &[String]) {
        let mut want: Vec<String> = model
            .edited
            .iter()
            .map(|(&r, e)| {
                let code = |on| if on { 'M' } else { ' ' };
                format!("{}{} {}", code(e.staged), code(e.unstaged), self.paths[r])
            })
            .collect();
        want.push("?? scratch.txt".into());
        want.sort();
        let status = self.git(&["status", "--porcelain", "--untracked-files=all"]);
        let mut got: Vec<String> = status.lines().map(str::to_string).collect();
        got.sort();
        assert_eq!(got, want, "git status in the records work tree");
        if !model.on_branch {
            return;
        }
        for r in (0..RECORDS).filter(|r| !model.edited.contains_key(r)) {
            let file = std::fs::read_to_string(self.file(r)).unwrap();
            assert_eq!(
                file, branch_text[r],
                "record {r}'s file is not the branch's"
            );
            let staged = self.git(&["rev-parse", &format!(":{}", self.paths[r])]);
            let tip = self.git(&["rev-parse", &format!("postmortems:{}", self.paths[r])]);
            assert_eq!(staged, tip, "record {r}'s index entry is not the branch's");
        }
    }
}

/// Whether a write killed at `point` (None: not killed) has moved the
/// branch: only once it passed `moved`. Where the branch is checked out
/// nowhere, the points of the work-tree path are never reached.
fn landed(point: Option<&str>, on_branch: bool) -> bool {
    match point {
        None | Some("moved") => true,
        Some("planned") => false,
        Some(_) => !on_branch,
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10,
        max_shrink_iters: 40,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_write_driver_keeps_to_the_model(steps in prop::collection::vec(step(), 1..14)) {
        let (mut world, mut model) = World::new();
        world.check(&model);
        for step in &steps {
            world.run(&mut model, step);
            world.check(&model);
        }
    }
}
