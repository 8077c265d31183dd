//! Changing the user's list (`$XDG_CONFIG_HOME/devops/repos.toml`):
//! through `toml_edit`, so what a person wrote there by hand (comments,
//! order, layout) stays, and atomically (a temporary file, then a
//! rename): a crash at any instant leaves the old file or the new one.

use super::Dirs;
use super::registry::{Entry, UserFile};
use crate::error::{Error, Result};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

/// Appends `entry` as a new `[[repo]]` when `check` accepts the list as
/// it is now (two `repos add` at once each see the other's entry); the
/// file and its folder are made when missing.
pub fn add(dirs: &Dirs, entry: &Entry, check: impl FnOnce(&UserFile) -> Result<()>) -> Result<()> {
    entry.check().map_err(Error::new)?;
    let _lock = lock(dirs)?;
    check(&UserFile::read(dirs)?)?;
    let (mut doc, path) = open(dirs)?;
    let mut table = Table::new();
    table.insert("name", value(entry.name.as_str()));
    if let Some(p) = &entry.path {
        let p = p.to_str().ok_or_else(|| {
            Error::new(format!(
                "{} is not valid UTF-8: TOML cannot hold it",
                p.display()
            ))
        })?;
        table.insert("path", value(p));
    }
    if let Some(url) = &entry.url {
        table.insert("url", value(url.as_str()));
    }
    if let Some(b) = &entry.branch {
        table.insert("branch", value(b.as_str()));
    }
    match doc.get_mut("repo") {
        Some(Item::ArrayOfTables(list)) => list.push(table),
        Some(_) => {
            return Err(Error::new(format!(
                "{}: `repo` is not a list of [[repo]] tables",
                path.display()
            )));
        }
        None => {
            let mut list = ArrayOfTables::new();
            list.push(table);
            doc.insert("repo", Item::ArrayOfTables(list));
        }
    }
    save(dirs, &doc)
}

/// Removes the `[[repo]]` named `name`; `false` when there is none.
pub fn remove(dirs: &Dirs, name: &str) -> Result<bool> {
    let _lock = lock(dirs)?;
    let (mut doc, _) = open(dirs)?;
    let Some(Item::ArrayOfTables(list)) = doc.get_mut("repo") else {
        return Ok(false);
    };
    let Some(at) = list
        .iter()
        .position(|t| t.get("name").and_then(Item::as_str) == Some(name))
    else {
        return Ok(false);
    };
    list.remove(at);
    save(dirs, &doc)?;
    Ok(true)
}

/// Our writers in single file: an OS lock (`flock`) beside the list,
/// which the kernel drops with a killed process.
fn lock(dirs: &Dirs) -> Result<std::fs::File> {
    let path = dirs.user_file().with_extension("toml.lock");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::new(format!("cannot open {}: {e}", path.display())))?;
    file.lock()
        .map_err(|e| Error::new(format!("cannot lock {}: {e}", path.display())))?;
    Ok(file)
}

/// The file as a document, checked as `UserFile::read` checks it (a
/// change never builds on a file that does not read).
fn open(dirs: &Dirs) -> Result<(DocumentMut, std::path::PathBuf)> {
    UserFile::read(dirs)?;
    let path = dirs.user_file();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", path.display()))),
    };
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|e| Error::new(format!("{}: {}", path.display(), e.message())))?;
    Ok((doc, path))
}

fn save(dirs: &Dirs, doc: &DocumentMut) -> Result<()> {
    let path = dirs.user_file();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
    }
    crate::fsio::atomic_write(
        &path,
        doc.to_string().as_bytes(),
        crate::fsio::Durability::Synced,
        crate::fsio::Temp::Random,
    )
    .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_survive_an_add_and_a_remove() {
        let home = tempfile::tempdir().unwrap();
        let dirs = Dirs {
            config: home.path().join("config"),
            cache: home.path().join("cache"),
        };
        std::fs::create_dir_all(dirs.user_file().parent().unwrap()).unwrap();
        std::fs::write(
            dirs.user_file(),
            "# my repositories\n[[repo]]\nname = \"api\" # the API\npath = \"/src/api\"\n",
        )
        .unwrap();
        let web = Entry {
            name: "web".into(),
            path: None,
            url: Some("https://h/web.git".into()),
            branch: Some("records".into()),
        };
        add(&dirs, &web, |_| Ok(())).unwrap();
        let again = add(&dirs, &web, |f| {
            match f.repos.iter().any(|e| e.name == "web") {
                true => Err(Error::new("taken")),
                false => Ok(()),
            }
        });
        assert!(again.is_err());
        let read = UserFile::read(&dirs).unwrap();
        assert_eq!(read.repos.len(), 2);
        assert_eq!(read.repos[1], web);
        assert!(remove(&dirs, "web").unwrap());
        assert!(!remove(&dirs, "web").unwrap());
        let text = std::fs::read_to_string(dirs.user_file()).unwrap();
        assert!(text.contains("# my repositories") && text.contains("# the API"));
        assert_eq!(UserFile::read(&dirs).unwrap().repos.len(), 1);
    }
}
