//! `serve --config FILE`: the server's options from a file, as the Debian package's systemd unit starts it
//! (`/etc/formdesk-portal/portal.toml`). The file is TOML with one key per long option of `serve`, spelled as
//! on the command line (`listen = "0.0.0.0:8440"`, `data-dir = "/var/lib/formdesk-portal"`,
//! `keep-after-pickup = 168`); an option given on the command line wins over the file. The file's settings are
//! handed to the same parser as the command line's, so they are checked with the same messages.

use std::ffi::OsString;
use std::path::Path;

/// The settings a config file may have: the long options of `serve` that take a value.
pub const KEYS: &[&str] = &[
    "listen",
    "console-origin",
    "data-dir",
    "database",
    "max-request-bytes",
    "max-piece-bytes",
    "max-body-memory",
    "max-connections",
    "max-requests",
    "header-timeout",
    "body-timeout",
    "max-part-bytes",
    "keep-after-pickup",
    "tls-cert",
    "tls-key",
];

/// The command line with the settings of `serve --config FILE` put in front of the command line's own options
/// (which therefore win); any other command line as it is.
pub fn expand(args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    if args.get(1).is_none_or(|a| a != "serve") {
        return Ok(args);
    }
    let mut file = None;
    for (i, arg) in args.iter().enumerate().skip(2) {
        let text = arg.to_string_lossy();
        if text == "--config" {
            file = args.get(i + 1).map(|f| f.to_string_lossy().into_owned());
            if file.is_none() {
                return Err("--config needs a file".to_owned());
            }
            break;
        }
        if let Some(f) = text.strip_prefix("--config=") {
            file = Some(f.to_owned());
            break;
        }
    }
    let Some(file) = file else { return Ok(args) };
    let settings = read(Path::new(&file))?;
    let mut out: Vec<OsString> = args[..2].to_vec();
    for (key, value) in settings {
        out.push(format!("--{key}").into());
        out.push(value.into());
    }
    out.extend(args[2..].iter().cloned());
    Ok(out)
}

/// The settings of a config file, in [`KEYS`] order, each checked to be known and a string or whole number.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table: toml::Table = text.parse().map_err(|e| format!("{}: not a config file (TOML): {e}", path.display()))?;
    let mut settings = Vec::new();
    for (key, value) in &table {
        if !KEYS.contains(&key.as_str()) {
            return Err(format!(
                "{}: unknown setting '{key}'; a config file may set {}",
                path.display(),
                KEYS.join(", ")
            ));
        }
        let value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(n) => n.to_string(),
            _ => return Err(format!("{}: '{key}' must be a string or a whole number", path.display())),
        };
        settings.push((key.clone(), value));
    }
    settings.sort_by_key(|(key, _)| KEYS.iter().position(|k| k == key));
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_files_settings_go_in_front_so_the_command_line_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("portal.toml");
        std::fs::write(&file, "keep-after-pickup = 24\nlisten = \"0.0.0.0:8440\"\n").expect("write");
        let path = file.display().to_string();
        let expanded = expand(args(&["formdesk-portal", "serve", "--config", &path, "--listen", "127.0.0.1:0"]))
            .expect("expanded");
        assert_eq!(
            expanded,
            args(&[
                "formdesk-portal",
                "serve",
                "--listen",
                "0.0.0.0:8440",
                "--keep-after-pickup",
                "24",
                "--config",
                &path,
                "--listen",
                "127.0.0.1:0",
            ])
        );
        let other = args(&["formdesk-portal", "forms", "check", "--config", "x"]);
        assert_eq!(expand(other.clone()).expect("as it is"), other);
    }

    #[test]
    fn an_unknown_setting_or_a_wrong_value_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("portal.toml");
        for (text, says) in [
            ("listn = \"127.0.0.1:1\"\n", "unknown setting 'listn'"),
            ("listen = true\n", "'listen' must be a string or a whole number"),
            ("listen = \n", "not a config file (TOML)"),
        ] {
            std::fs::write(&file, text).expect("write");
            let error = read(&file).expect_err(text);
            assert!(error.contains(says) && error.contains("portal.toml"), "{error}");
        }
        let error = read(&dir.path().join("missing.toml")).expect_err("missing");
        assert!(error.contains("missing.toml"), "{error}");
        let error = expand(args(&["formdesk-portal", "serve", "--config"])).expect_err("no file");
        assert!(error.contains("--config needs a file"), "{error}");
    }
}
