//! Where `encap login` keeps its tokens: `$XDG_CONFIG_HOME/encap/sessions`
//! (or `~/.config/encap/sessions`), mode 0600, one line per server:
//! `SERVER<TAB>TOKEN<TAB>EXPIRES_UNIX<TAB>USER`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// A saved login to one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub server: String,
    pub token: String,
    pub expires_at: i64,
    pub user: String,
}

/// The sessions file, from the environment (`ENCAP_CONFIG_DIR` first).
pub fn default_path() -> Result<PathBuf, String> {
    let dir = if let Some(d) = std::env::var_os("ENCAP_CONFIG_DIR").filter(|d| !d.is_empty()) {
        PathBuf::from(d)
    } else if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        PathBuf::from(d).join("encap")
    } else if let Some(home) = std::env::var_os("HOME") {
        PathBuf::from(home).join(".config/encap")
    } else {
        return Err("cannot tell where to keep the login: set HOME or ENCAP_CONFIG_DIR".into());
    };
    Ok(dir.join("sessions"))
}

fn read_all(path: &Path) -> Result<Vec<Saved>, String> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut parts = line.split('\t');
            Some(Saved {
                server: parts.next()?.to_string(),
                token: parts.next()?.to_string(),
                expires_at: parts.next()?.parse().ok()?,
                user: parts.next().unwrap_or("").to_string(),
            })
        })
        .collect())
}

fn write_all(path: &Path, sessions: &[Saved]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    for s in sessions {
        writeln!(
            file,
            "{}\t{}\t{}\t{}",
            s.server, s.token, s.expires_at, s.user
        )
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    }
    file.sync_all()
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    fs::rename(&tmp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

pub fn find(path: &Path, server: &str) -> Result<Option<Saved>, String> {
    Ok(read_all(path)?.into_iter().find(|s| s.server == server))
}

pub fn save(path: &Path, session: Saved) -> Result<(), String> {
    let mut all = read_all(path)?;
    all.retain(|s| s.server != session.server);
    all.push(session);
    write_all(path, &all)
}

pub fn forget(path: &Path, server: &str) -> Result<(), String> {
    let mut all = read_all(path)?;
    let before = all.len();
    all.retain(|s| s.server != server);
    if all.len() != before {
        write_all(path, &all)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn saved_per_server_with_mode_0600() {
        let dir = std::env::temp_dir().join(format!("encap-sessions-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("encap/sessions");
        let a = Saved {
            server: "http://127.0.0.1:50051".into(),
            token: "ab".repeat(32),
            expires_at: 1_800_000_000,
            user: "alice".into(),
        };
        save(&path, a.clone()).unwrap();
        save(
            &path,
            Saved {
                server: "https://other:443".into(),
                ..a.clone()
            },
        )
        .unwrap();
        assert_eq!(
            find(&path, "http://127.0.0.1:50051").unwrap(),
            Some(a.clone())
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        forget(&path, "http://127.0.0.1:50051").unwrap();
        assert_eq!(find(&path, "http://127.0.0.1:50051").unwrap(), None);
        assert!(find(&path, "https://other:443").unwrap().is_some());
        fs::remove_dir_all(&dir).unwrap();
    }
}
