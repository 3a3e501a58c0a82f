//! The administrators' console at `/admin` (docs/tenants.md, sections 4 and 5), against the real
//! `formdesk-portal serve` on SQLite and PostgreSQL: the setup link and sign-in, the session cookie, timeouts,
//! CSRF and origin, roles, throttling, TOTP, what never reaches the portal's output, and tenant isolation
//! over every console route of the route table (`src/routes.rs`, included by `isolation.rs` as the router is built from it).
//!
//! The portal runs over plain HTTP on loopback (its own URL is then the console's origin); the cookies are
//! handled by hand, so their attributes are read exactly as sent.

use crate::isolation::routes;
use crate::support::{ARS, Env, http, now, uuid};
use formdesk_console::auth::TotpSecret;
use routes::{Access, ConsoleRole, IdKind, Kind, Method, ROUTES};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Tenant B.
pub(crate) const B: &str = "057660020020";
/// A password that meets the rules.
const PASSWORD: &str = "Korrekt-Pferd-Batterie-42";

/// A `formdesk-portal serve` whose standard output and error are captured whole.
pub(crate) struct Served {
    child: Child,
    pub(crate) base: String,
    stdout: Option<std::thread::JoinHandle<String>>,
    stderr: PathBuf,
}

impl Served {
    pub(crate) fn start(env: &Env) -> Served {
        let stderr = env.dir.path().join("portal-stderr.txt");
        let mut child = Command::new(env!("CARGO_BIN_EXE_formdesk-portal"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(env.store_args())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("formdesk-portal serve starts");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("a line from the portal");
        let base = line
            .trim()
            .strip_prefix("formdesk-portal: listening on ")
            .unwrap_or_else(|| panic!("not the listening line: {line:?}"))
            .to_owned();
        let stdout = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = out.read_to_string(&mut rest);
            line + &rest
        });
        Served { child, base, stdout: Some(stdout), stderr }
    }

    /// Stops the portal and returns everything it wrote.
    fn output(mut self) -> String {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        let stdout = self.stdout.take().map(|t| t.join().expect("stdout reader")).unwrap_or_default();
        stdout + &std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An answer with its headers.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) location: String,
    set_cookies: Vec<String>,
    pub(crate) body: String,
}

/// A browser: the console's cookies, the last page's CSRF token, no redirects followed.
pub(crate) struct Browser {
    base: String,
    client: reqwest::blocking::Client,
    cookies: BTreeMap<String, String>,
    pub(crate) csrf: String,
}

impl Browser {
    pub(crate) fn new(base: &str) -> Browser {
        let client = reqwest::blocking::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser { base: base.to_owned(), client, cookies: BTreeMap::new(), csrf: String::new() }
    }

    pub(crate) fn send(&mut self, request: reqwest::blocking::RequestBuilder) -> Reply {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let request = if cookie.is_empty() { request } else { request.header("Cookie", cookie) };
        let response = request.send().expect("the portal answers");
        let status = response.status().as_u16();
        let location =
            response.headers().get("location").map(|v| v.to_str().unwrap_or_default().to_owned()).unwrap_or_default();
        let set_cookies: Vec<String> =
            response.headers().get_all("set-cookie").iter().map(|v| v.to_str().expect("ascii").to_owned()).collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().expect("body");
        if let Some(token) = field_value(&body, "csrf") {
            self.csrf = token;
        }
        Reply { status, location, set_cookies, body }
    }

    pub(crate) fn get(&mut self, path: &str) -> Reply {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request)
    }

    /// A form sent from the console (its origin), with the last page's CSRF token.
    pub(crate) fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("csrf", "")];
        let csrf = self.csrf.clone();
        all[0].1 = &csrf;
        all.extend_from_slice(fields);
        self.post_raw(path, &all, Some(&self.base.clone()))
    }

    /// A form with one file, sent from the console as `multipart/form-data`, with the last page's CSRF token.
    pub(crate) fn post_file(&mut self, path: &str, field: &str, file_name: &str, bytes: &[u8]) -> Reply {
        self.post_form_file(path, &[], field, file_name, bytes)
    }

    /// As [`Browser::post_file`], with text fields before the file.
    pub(crate) fn post_form_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Reply {
        let boundary = "formdesk-test-boundary-7f3a";
        let mut body = Vec::new();
        let csrf = self.csrf.clone();
        for (name, value) in std::iter::once(&("csrf", csrf.as_str())).chain(fields) {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
            .header("Origin", self.base.clone())
            .body(body);
        self.send(request)
    }

    fn post_raw(&mut self, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Reply {
        let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        self.send(request)
    }

    fn session(&self) -> Option<&String> {
        self.cookies.get("__Host-formdesk")
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The value of the first hidden field `name` of a page.
fn field_value(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_owned())
}

/// Adds an account and returns the path of its setup link.
pub(crate) fn add_account(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["accounts", "add"];
    all.extend_from_slice(args);
    let out = env.cli_ok(&all);
    let link = out.lines().find_map(|l| l.strip_prefix("setup")).expect("a setup link").trim().to_owned();
    link.find("/admin/einrichten/").map(|i| link[i..].to_owned()).expect("the setup path")
}

/// Opens the setup link and sets the password; the browser is signed in afterwards.
pub(crate) fn set_up(browser: &mut Browser, setup_path: &str) -> Reply {
    let page = browser.get(setup_path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Passwort festlegen"), "{}", page.body);
    let done = browser.post(setup_path, &[("passwort", PASSWORD), ("passwort2", PASSWORD)]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location, "/admin/");
    done
}

fn sign_in(browser: &mut Browser, login: &str, password: &str) -> Reply {
    let form = browser.get("/admin/anmelden");
    assert_eq!(form.status, 200, "{}", form.body);
    browser.post("/admin/anmelden", &[("login", login), ("passwort", password)])
}

/// Switches on two-factor sign-in on "Mein Konto" and returns the secret.
pub(crate) fn enable_totp(browser: &mut Browser) -> TotpSecret {
    browser.get("/admin/konto");
    let shown = browser.post("/admin/konto", &[("aktion", "totp-einrichten")]);
    assert_eq!(shown.status, 200, "{}", shown.body);
    let grouped = shown.body.split("<p class=\"secret\"").nth(1).and_then(|s| s.split('>').nth(1)).expect("secret");
    let base32: String = grouped.split('<').next().expect("text").chars().filter(|c| !c.is_whitespace()).collect();
    let secret = TotpSecret::from_base32(&base32).expect("base32");
    let on = browser.post("/admin/konto", &[("aktion", "totp-bestaetigen"), ("code", &code(&secret, now()))]);
    assert!(on.body.contains("Die Zwei-Faktor-Anmeldung ist eingeschaltet"), "{}", on.body);
    secret
}

/// A device admin of tenant A, signed in.
fn device_admin(env: &Env, base: &str, login: &str) -> Browser {
    let path = add_account(env, &["--tenant", ARS, "--login", login, "--name", "Petra Schmidt", "--role", "geraete"]);
    let mut browser = Browser::new(base);
    set_up(&mut browser, &path);
    browser
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The setup link, the password, the session cookie; signing out and in again; the session kept as a hash.
fn setup_link_and_sign_in(env: Env) {
    let portal = Served::start(&env);
    let path =
        add_account(&env, &["--tenant", ARS, "--login", "p.schmidt", "--name", "Petra Schmidt", "--role", "geraete"]);
    let mut browser = Browser::new(&portal.base);
    // A password against the rules is refused on the page.
    browser.get(&path);
    let short = browser.post(&path, &[("passwort", "kurz"), ("passwort2", "kurz")]);
    assert_eq!(short.status, 200);
    assert!(short.body.contains("zu kurz"), "{}", short.body);
    let done = set_up(&mut browser, &path);
    let cookie = done.set_cookies.iter().find(|c| c.starts_with("__Host-formdesk=")).expect("the session cookie");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.split("; ").any(|a| a == attribute), "{attribute} missing in {cookie}");
    }
    assert!(!cookie.contains("Domain") && !cookie.contains("Max-Age"), "{cookie}");
    // The database keeps the token's SHA-256, never the token.
    let token = browser.session().expect("a session").clone();
    let bytes = formdesk_protocol::decode_base64url(&token).expect("base64url");
    assert_eq!(env.query(&format!("SELECT COUNT(*) FROM sessions WHERE token_sha256 = '{}'", sha256_hex(&bytes))), "1");
    assert_eq!(env.query(&format!("SELECT COUNT(*) FROM sessions WHERE token_sha256 = '{token}'")), "0");
    // The link works once.
    assert_eq!(Browser::new(&portal.base).get(&path).status, 404);

    let overview = browser.get("/admin/");
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview.body.contains("Stadt Musterstadt") && overview.body.contains("Petra Schmidt"));
    let out = browser.post("/admin/abmelden", &[]);
    assert_eq!((out.status, out.location.as_str()), (303, "/admin/anmelden?abgemeldet"));
    assert!(browser.session().is_none());
    assert_eq!(browser.get("/admin/").location, "/admin/anmelden");
    let again = sign_in(&mut browser, "P.Schmidt", PASSWORD);
    assert_eq!((again.status, again.location.as_str()), (303, "/admin/"), "{}", again.body);
    assert_eq!(browser.get("/admin/geraete").status, 200);
    // Signing in again replaces the session; disabling the account ends the new one at once.
    let before = browser.session().expect("session").clone();
    // (A signed-in browser is sent from the form to the overview; the form's token comes from another tab.)
    assert_eq!(browser.get("/admin/anmelden").location, "/admin/");
    let mut tab = Browser::new(&portal.base);
    tab.get("/admin/anmelden");
    browser.cookies.insert("__Host-formdesk-pre".into(), tab.cookies["__Host-formdesk-pre"].clone());
    browser.csrf = tab.csrf.clone();
    let replaced = browser.post("/admin/anmelden", &[("login", "p.schmidt"), ("passwort", PASSWORD)]);
    assert_eq!(replaced.status, 303, "{}", replaced.body);
    assert_ne!(browser.session(), Some(&before));
    assert_eq!(env.query("SELECT COUNT(*) FROM sessions"), "1");
    env.cli_ok(&["accounts", "disable", "--login", "p.schmidt"]);
    assert_eq!(browser.get("/admin/").location, "/admin/anmelden");
    assert_eq!(env.query("SELECT COUNT(*) FROM sessions"), "0");
    let refused = sign_in(&mut browser, "p.schmidt", PASSWORD);
    assert!(refused.body.contains("Anmeldename oder Passwort ist falsch"), "{}", refused.body);
    let log = env.cli_ok(&["audit", "list", "--tenant", ARS]);
    assert!(log.lines().any(|l| l.contains("account_disable") && l.contains("cli")), "{log}");
    drop(portal);
}

/// Off loopback the console needs --console-origin: without it every console route is the 404 page.
fn console_off_without_origin(env: Env) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_formdesk-portal"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .args(env.store_args())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a line");
    let port = line.trim().rsplit(':').next().expect("port").to_owned();
    let answer = http().get(format!("http://127.0.0.1:{port}/admin/anmelden")).send().expect("answer");
    assert_eq!(answer.status().as_u16(), 404);
    assert!(answer.text().expect("body").contains("Seite nicht gefunden"));
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    let _ = child.stderr.take().expect("stderr").read_to_string(&mut stderr);
    assert!(stderr.contains("--console-origin"), "{stderr}");
}

/// Without a session every console route but the public ones sends the browser to the sign-in page, and a
/// console answer carries the security headers.
fn every_route_without_session_redirects(env: Env) {
    let portal = Served::start(&env);
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut walked = 0;
    for spec in ROUTES.iter().filter(|r| r.kind == Kind::Console && r.access != Access::Public) {
        let ids: Vec<String> = spec.ids.iter().map(|_| uuid()).collect();
        let path = routes::fill(spec.path, &ids.iter().map(String::as_str).collect::<Vec<_>>());
        let url = format!("{}{path}", portal.base);
        let response = match spec.method {
            Method::Get => client.get(&url).send(),
            _ => client.post(&url).header("Origin", &portal.base).body("csrf=x").send(),
        }
        .expect("answer");
        let name = format!("{} {}", spec.method.as_str(), spec.path);
        assert_eq!(response.status().as_u16(), 303, "{name}");
        assert_eq!(response.headers()["location"], "/admin/anmelden", "{name}");
        let csp = response.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{name}: {csp}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{name}");
        walked += 1;
    }
    assert!(walked >= 15, "only {walked} routes walked");
    // The style sheet is served under its hashed name only.
    let mut browser = Browser::new(&portal.base);
    let page = browser.get("/admin/anmelden");
    let href = page.body.split("href=\"").nth(1).and_then(|s| s.split('"').next()).expect("the sheet").to_owned();
    let sheet = client.get(format!("{}{href}", portal.base)).send().expect("sheet");
    assert_eq!(sheet.status().as_u16(), 200);
    assert!(sheet.headers()["cache-control"].to_str().expect("ascii").contains("immutable"));
    assert_eq!(browser.get("/admin/static/console.css").status, 404);
    drop(portal);
}

/// An idle session (30 minutes) and one of a whole working day (10 hours) lead back to sign-in.
fn idle_and_expired_sessions(env: Env) {
    let portal = Served::start(&env);
    let mut browser = device_admin(&env, &portal.base, "idle");
    assert_eq!(browser.get("/admin/").status, 200);
    env.execute("UPDATE sessions SET seen_at = seen_at - 1801");
    let idle = browser.get("/admin/");
    assert_eq!((idle.status, idle.location.as_str()), (303, "/admin/anmelden?abgelaufen"));
    assert_eq!(env.query("SELECT COUNT(*) FROM sessions"), "0");
    assert!(browser.get("/admin/anmelden?abgelaufen").body.contains("Sitzung ist abgelaufen"));

    let again = sign_in(&mut browser, "idle", PASSWORD);
    assert_eq!(again.status, 303, "{}", again.body);
    env.execute("UPDATE sessions SET created_at = created_at - 36000");
    assert_eq!(browser.get("/admin/geraete").location, "/admin/anmelden?abgelaufen");
    drop(portal);
}

/// A forged or absent CSRF token and a foreign origin are refused, and nothing changes.
fn csrf_and_origin(env: Env) {
    let portal = Served::start(&env);
    let mut browser = device_admin(&env, &portal.base, "csrf");
    browser.get("/admin/geraete");
    let good = browser.csrf.clone();
    let forged = "A".repeat(43);
    let origin = portal.base.clone();
    for (what, csrf, origin) in [
        ("forged token", forged.as_str(), Some(origin.as_str())),
        ("no token", "", Some(origin.as_str())),
        ("other origin", good.as_str(), Some("https://evil.example")),
        ("null origin", good.as_str(), Some("null")),
        ("no origin nor referer", good.as_str(), None),
    ] {
        let reply = browser.post_raw("/admin/geraete", &[("csrf", csrf), ("name", "Schadgerät")], origin);
        assert_eq!(reply.status, 403, "{what}: {}", reply.body);
        assert!(reply.body.contains("Das Formular ist abgelaufen"), "{what}");
    }
    assert!(env.cli_ok(&["devices", "list"]).contains("0 device(s)"));
    browser.csrf = good;
    let ok = browser.post("/admin/geraete", &[("name", "Bürgerbüro 1")]);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("<svg") && ok.body.contains("Bürgerbüro 1"));
    assert!(env.cli_ok(&["devices", "list"]).contains("1 device(s)"));
    // The sign-in form needs its pre-session token too.
    let mut stranger = Browser::new(&portal.base);
    stranger.get("/admin/anmelden");
    let forged = stranger.post_raw(
        "/admin/anmelden",
        &[("csrf", &"B".repeat(43)), ("login", "csrf"), ("passwort", PASSWORD)],
        Some(&portal.base),
    );
    assert_eq!(forged.status, 403);
    drop(portal);
}

/// A role that may not use a route gets the 404 page, byte for byte as for an object that does not exist.
fn wrong_role_is_not_found(env: Env) {
    let portal = Served::start(&env);
    let path =
        add_account(&env, &["--tenant", ARS, "--login", "editor", "--name", "Eva Editor", "--role", "formulare"]);
    let mut editor = Browser::new(&portal.base);
    set_up(&mut editor, &path);
    let missing = editor.get(&format!("/admin/geraete/{}", uuid()));
    assert_eq!(missing.status, 404);
    for path in [format!("/admin/geraete/{}/sperren", uuid()), "/admin/betrieb/konten".to_owned()] {
        let refused = editor.get(&path);
        assert_eq!((refused.status, &refused.body), (404, &missing.body), "{path}");
    }
    for readable in ["/admin/formulare", "/admin/ziele", "/admin/eingang", "/admin/protokoll", "/admin/konto"] {
        assert_eq!(editor.get(readable).status, 200, "{readable}");
    }
    let refused = editor.post("/admin/geraete", &[("name", "x")]);
    assert_eq!((refused.status, &refused.body), (404, &missing.body));
    assert!(env.cli_ok(&["devices", "list"]).contains("0 device(s)"));

    // The operator sees no tenant's devices.
    let path = add_account(&env, &["--operator", "--login", "betrieb", "--name", "Rechenzentrum"]);
    let mut operator = Browser::new(&portal.base);
    set_up(&mut operator, &path);
    // An operator reaches nothing but "Mein Konto" until two-factor sign-in is on.
    assert_eq!(operator.get("/admin/").location, "/admin/konto");
    assert_eq!(operator.get("/admin/betrieb/konten").location, "/admin/konto");
    enable_totp(&mut operator);
    let unknown = operator.get(&format!("/admin/geraete/{}", uuid()));
    assert_eq!(unknown.status, 404);
    assert_eq!(operator.get("/admin/geraete").body, unknown.body);
    assert_eq!(operator.get("/admin/betrieb/mandanten").status, 200);
    assert_eq!(operator.get("/admin/betrieb/zustand").status, 200);
    // A path no route has is the same 404 page without navigation, and /admin leads to the overview.
    assert_eq!(operator.get("/admin/gibt-es-nicht").status, 404);
    assert_eq!(operator.get("/admin").location, "/admin/");
    drop(portal);
}

/// Wrong passwords are answered at once with the wait, then the lock; an unknown login goes the same way.
fn brute_force(env: Env) {
    let portal = Served::start(&env);
    device_admin(&env, &portal.base, "target");
    let mut attacker = Browser::new(&portal.base);
    for n in 1..=4 {
        let reply = sign_in(&mut attacker, "target", &format!("falsch-{n}-falsch-falsch"));
        assert_eq!(reply.status, 200, "attempt {n}");
        assert!(reply.body.contains("Anmeldename oder Passwort ist falsch"), "attempt {n}");
    }
    // The 4th failure makes the next attempt wait a second; the counts are moved on to 6 failures (a wait
    // of 4 seconds), so that the test does not race the clock.
    assert_eq!(env.query("SELECT MAX(count) FROM sign_in_failures"), "4");
    env.execute(&format!("UPDATE sign_in_failures SET count = 6, last_failure = {}", now()));
    let waiting = sign_in(&mut attacker, "target", PASSWORD);
    assert_eq!(waiting.status, 429, "{}", waiting.body);
    assert!(waiting.body.contains("Zu viele Versuche"));
    assert!(attacker.session().is_none());
    // Ten failures lock the account for 15 minutes, even for the right password.
    env.execute(&format!("UPDATE sign_in_failures SET count = 10, last_failure = {}", now()));
    let locked = sign_in(&mut attacker, "target", PASSWORD);
    assert_eq!(locked.status, 429);
    assert!(locked.body.contains("Zu viele Versuche"));
    assert!(attacker.session().is_none());

    // An unknown login: the same answers in the same order.
    env.execute("DELETE FROM sign_in_failures");
    for n in 1..=4 {
        let reply = sign_in(&mut attacker, "niemand", &format!("falsch-{n}-falsch-falsch"));
        assert_eq!(reply.status, 200, "attempt {n}");
        assert!(reply.body.contains("Anmeldename oder Passwort ist falsch"), "attempt {n}");
    }
    assert_eq!(env.query("SELECT MAX(count) FROM sign_in_failures"), "4");
    env.execute(&format!("UPDATE sign_in_failures SET count = 6, last_failure = {}", now()));
    let waiting = sign_in(&mut attacker, "niemand", PASSWORD);
    assert_eq!(waiting.status, 429);
    assert!(waiting.body.contains("Zu viele Versuche"));
    // The table names the login only by its keyed digest.
    assert_eq!(env.query("SELECT COUNT(*) FROM sign_in_failures WHERE key LIKE '%niemand%'"), "0");
    drop(portal);
}

/// The code of the authenticator app at `time`.
fn code(secret: &TotpSecret, time: i64) -> String {
    secret.code_at(time).expect("a code")
}

/// Two-factor sign-in: set up with a first code, then asked at sign-in; a used code is refused again.
/// The whole run's output holds no password, session token, setup token or TOTP secret.
fn totp_and_secrets(env: Env) {
    let portal = Served::start(&env);
    let path = add_account(&env, &["--tenant", ARS, "--login", "zwei", "--name", "Zoe Zwei", "--role", "geraete"]);
    let setup_token = path.rsplit('/').next().expect("token").to_owned();
    let mut browser = Browser::new(&portal.base);
    set_up(&mut browser, &path);
    let first_session = browser.session().expect("session").clone();
    browser.get("/admin/konto");
    let shown = browser.post("/admin/konto", &[("aktion", "totp-einrichten")]);
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains("<svg"));
    let grouped = shown.body.split("<p class=\"secret\"").nth(1).and_then(|s| s.split('>').nth(1)).expect("secret");
    let base32: String = grouped.split('<').next().expect("text").chars().filter(|c| !c.is_whitespace()).collect();
    let secret = TotpSecret::from_base32(&base32).expect("base32");
    let wrong = browser.post("/admin/konto", &[("aktion", "totp-bestaetigen"), ("code", "000000")]);
    assert!(wrong.body.contains("Der Code stimmt nicht") || code(&secret, now()) == "000000");
    let t = now();
    let on = browser.post("/admin/konto", &[("aktion", "totp-bestaetigen"), ("code", &code(&secret, t))]);
    assert!(on.body.contains("Die Zwei-Faktor-Anmeldung ist eingeschaltet"), "{}", on.body);

    browser.post("/admin/abmelden", &[]);
    let half = sign_in(&mut browser, "zwei", PASSWORD);
    assert_eq!(half.location, "/admin/anmelden/code");
    // A password-only session reaches nothing but the code page.
    assert_eq!(browser.get("/admin/").location, "/admin/anmelden/code");
    assert_eq!(browser.get("/admin/geraete").location, "/admin/anmelden/code");
    browser.get("/admin/anmelden/code");
    let replay = browser.post("/admin/anmelden/code", &[("code", &code(&secret, t))]);
    assert_eq!(replay.status, 200);
    assert!(replay.body.contains("aria-invalid"), "the used code must be refused: {}", replay.body);
    let next = code(&secret, t + 30);
    let full = browser.post("/admin/anmelden/code", &[("code", &next)]);
    assert_eq!((full.status, full.location.as_str()), (303, "/admin/"), "{}", full.body);
    let session = browser.session().expect("session").clone();
    assert_eq!(browser.get("/admin/geraete").status, 200);
    // The same code in another sign-in is refused.
    let mut other = Browser::new(&portal.base);
    sign_in(&mut other, "zwei", PASSWORD);
    other.get("/admin/anmelden/code");
    assert!(other.post("/admin/anmelden/code", &[("code", &next)]).body.contains("aria-invalid"));
    // An enrolment code is shown once, with its QR code.
    let enrolled = browser.post("/admin/geraete", &[("name", "Platz 1")]);
    assert_eq!(enrolled.status, 200);

    // The tenant's log ("Protokoll") has the sign-ins, the TOTP, the failed code and the new desk; a
    // failed password names the login only by its keyed digest.
    sign_in(&mut Browser::new(&portal.base), "zwei", "falsch-falsch-falsch");
    let log = browser.get("/admin/protokoll");
    assert_eq!(log.status, 200, "{}", log.body);
    for action in [
        "Angemeldet",
        "Passwort festgelegt",
        "Zwei-Faktor-Anmeldung eingeschaltet",
        "Abgemeldet",
        "Gerät angelegt",
        "Anmeldung fehlgeschlagen",
    ] {
        assert!(log.body.contains(action), "{action} missing in the log:\n{}", log.body);
    }
    assert!(log.body.contains("Zoe Zwei") && log.body.contains("Anmeldename "), "{}", log.body);
    // The chain the console appended to is whole.
    assert!(env.cli_ok(&["audit", "verify", "--tenant", ARS]).contains("in Ordnung"));

    let output = portal.output();
    for (what, secret_text) in [
        ("password", PASSWORD.to_owned()),
        ("session token", session),
        ("first session token", first_session),
        ("setup token", setup_token),
        ("TOTP secret", base32.clone()),
        ("TOTP secret in lower case", base32.to_lowercase()),
    ] {
        assert!(!output.contains(&secret_text), "the {what} is in the portal's output:\n{output}");
    }
}

/// Tenant A's device admin asks for tenant B's desk: the answers of a never-used id, and B's desk stays.
fn console_isolation(env: Env) {
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Anders"]);
    let portal = Served::start(&env);
    let out = env.cli_of(B, &["devices", "enrol", "--name", "Bürgerbus B"]);
    let b_code = out.lines().find_map(|l| l.strip_prefix("code ")).expect("code").trim().to_owned();
    let b_device = out.lines().find_map(|l| l.strip_prefix("device ")).expect("id").trim().to_owned();
    let client = http();
    let key = ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).expect("key");
    let key = <ring::signature::Ed25519KeyPair>::from_pkcs8(key.as_ref()).expect("key");
    let public = formdesk_protocol::encode_base64url(ring::signature::KeyPair::public_key(&key).as_ref());
    let body = serde_json::json!({ "code": b_code, "publicKey": public }).to_string();
    let enrolled = client.post(format!("{}/v1/enrolment", portal.base)).body(body).send().expect("enrol");
    assert_eq!(enrolled.status().as_u16(), 200);

    let mut a = device_admin(&env, &portal.base, "a.admin");
    a.get("/admin/geraete");
    let path =
        add_account(&env, &["--tenant", ARS, "--login", "a.forms", "--name", "Frieda Form", "--role", "formulare"]);
    let mut f = Browser::new(&portal.base);
    set_up(&mut f, &path);
    f.get("/admin/geraete");
    let mut walked = 0;
    for spec in ROUTES.iter().filter(|r| r.kind == Kind::Console && r.ids.contains(&IdKind::Device)) {
        let Access::Roles(roles) = spec.access else { continue };
        // As the role of tenant A that may use the route: the device admin, or for the channel the form editor.
        let browser = if roles.contains(&ConsoleRole::DeviceAdmin) {
            &mut a
        } else {
            assert!(roles.contains(&ConsoleRole::FormEditor), "{}", spec.path);
            &mut f
        };
        let csrf = browser.csrf.clone();
        let never = uuid();
        let ask = |browser: &mut Browser, id: &str| {
            let path = routes::fill(spec.path, &[id]);
            browser.csrf = csrf.clone();
            match spec.method {
                Method::Get => browser.get(&path),
                _ => browser.post(&path, &[("kanal", "pilot")]),
            }
        };
        let for_b = ask(browser, &b_device);
        let for_nothing = ask(browser, &never);
        let name = format!("{} {}", spec.method.as_str(), spec.path);
        assert_eq!(for_b.status, 404, "{name}: {}", for_b.body);
        assert_eq!((for_b.status, &for_b.body), (for_nothing.status, &for_nothing.body), "{name}");
        assert!(!for_b.body.contains("Bürgerbus B") && !for_b.body.contains(&b_device), "{name}");
        walked += 1;
    }
    assert_eq!(walked, 4);
    let list = a.get("/admin/geraete");
    assert!(!list.body.contains("Bürgerbus B"));
    let b_list = env.cli_of(B, &["devices", "list"]);
    assert!(b_list.contains("enrolled") && !b_list.contains("revoked"), "{b_list}");
    let channel = env.query(&format!("SELECT forms_channel FROM devices WHERE id = '{b_device}'"));
    assert_eq!(channel, "all", "B's desk was moved to the pilot channel");
    drop(portal);
}

/// The walk of the route table for each role: a route the role may use answers (200 for a page without
/// ids), every other answers the one 404 page of that viewer, for `GET` and `POST` alike, and nothing changes.
fn every_route_for_every_role(env: Env) {
    let portal = Served::start(&env);
    let accounts: [(ConsoleRole, &[&str]); 4] = [
        (ConsoleRole::Operator, &["--operator", "--login", "r.operator", "--name", "Rechenzentrum"]),
        (ConsoleRole::FormEditor, &["--tenant", ARS, "--login", "r.forms", "--name", "F", "--role", "formulare"]),
        (ConsoleRole::DeviceAdmin, &["--tenant", ARS, "--login", "r.devices", "--name", "G", "--role", "geraete"]),
        (ConsoleRole::InboxUser, &["--tenant", ARS, "--login", "r.inbox", "--name", "E", "--role", "eingang"]),
    ];
    for (role, args) in accounts {
        let path = add_account(&env, args);
        let mut browser = Browser::new(&portal.base);
        set_up(&mut browser, &path);
        if role == ConsoleRole::Operator {
            enable_totp(&mut browser);
        }
        browser.get("/admin/konto");
        let csrf = browser.csrf.clone();
        let mut refusal: Option<String> = None;
        for spec in ROUTES.iter().filter(|r| r.kind == Kind::Console) {
            let Access::Roles(allowed) = spec.access else { continue };
            if spec.path == "/admin/abmelden" {
                continue;
            }
            let ids: Vec<String> = spec.ids.iter().map(|_| uuid()).collect();
            let path = routes::fill(spec.path, &ids.iter().map(String::as_str).collect::<Vec<_>>());
            browser.csrf = csrf.clone();
            let reply = match spec.method {
                Method::Get => browser.get(&path),
                _ => browser.post(&path, &[("name", "Rollenprobe"), ("ars", "059580000001"), ("login", "x")]),
            };
            let name = format!("{role:?}: {} {}", spec.method.as_str(), spec.path);
            if allowed.contains(&role) {
                if spec.ids.is_empty() && spec.method == Method::Get {
                    assert_eq!(reply.status, 200, "{name}: {}", reply.body);
                }
            } else {
                assert_eq!(reply.status, 404, "{name}: {}", reply.body);
                let first = refusal.get_or_insert_with(|| reply.body.clone());
                assert_eq!(first, &reply.body, "{name}");
            }
        }
        assert!(refusal.is_some(), "{role:?} may use every route");
    }
    // The refused posts changed nothing: one desk (the device admin's own "Gerät einrichten"), no account
    // beyond the four (the operator's own "Mandant anlegen" added one tenant).
    assert!(env.cli_of(ARS, &["devices", "list"]).contains("1 device(s)"));
    assert!(env.cli_ok(&["accounts", "list"]).contains("4 account(s)"));
    assert!(env.cli_ok(&["tenants", "list"]).contains("059580000001"));
    drop(portal);
}

/// "Protokoll prüfen" checks the tenant's whole chain: intact after the console's own actions, and a row changed
/// in the database is named by its number. Another tenant's damage is not this tenant's finding.
fn audit_check_on_the_page(env: Env) {
    let portal = Served::start(&env);
    let mut browser = device_admin(&env, &portal.base, "p.schmidt");
    browser.get("/admin/geraete");
    let enrolled = browser.post("/admin/geraete", &[("name", "Bürgerbüro Platz 1")]);
    assert_eq!(enrolled.status, 200, "{}", enrolled.body);
    let intact = browser.get("/admin/protokoll?pruefen=1");
    assert_eq!(intact.status, 200, "{}", intact.body);
    assert!(intact.body.contains("Geprüft: Alle"), "{}", intact.body);
    // Tenant B's log is damaged: tenant A's check does not read it.
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Beispielheim"]);
    env.cli_ok(&["devices", "enrol", "--tenant", B, "--name", "Anderswo"]);
    env.execute(&format!("UPDATE audit_entries SET actor = 'jemand' WHERE log = 't{B}'"));
    assert!(browser.get("/admin/protokoll?pruefen=1").body.contains("Geprüft: Alle"));
    // Tenant A's own entry 2 changed behind the portal's back.
    env.execute(&format!("UPDATE audit_entries SET object = 'anders' WHERE log = 't{ARS}' AND seq = 2"));
    let broken = browser.get("/admin/protokoll?pruefen=1");
    assert_eq!(broken.status, 200, "{}", broken.body);
    assert!(broken.body.contains("Achtung: Ab Eintrag 2 passt die Kette nicht mehr"), "{}", broken.body);
    // Without asking, the page does not check.
    assert!(!browser.get("/admin/protokoll").body.contains("Achtung"));
    drop(portal);
}

#[test]
fn the_console_is_off_without_origin_off_loopback() {
    console_off_without_origin(Env::new(crate::support::Backend::Sqlite));
}

crate::on_both_backends!(
    every_route_for_every_role,
    setup_link_and_sign_in,
    every_route_without_session_redirects,
    idle_and_expired_sessions,
    csrf_and_origin,
    wrong_role_is_not_found,
    brute_force,
    totp_and_secrets,
    console_isolation,
    audit_check_on_the_page,
);

#[test]
fn the_console_routes_are_in_the_table_with_the_roles_of_the_design() {
    let find = |method: Method, path: &str| {
        ROUTES.iter().find(|r| r.method == method && r.path == path).unwrap_or_else(|| panic!("{path}"))
    };
    let roles = |method, path| match find(method, path).access {
        Access::Roles(r) => r.to_vec(),
        other => panic!("{path}: {other:?}"),
    };
    use ConsoleRole::{DeviceAdmin, FormEditor, InboxUser, Operator};
    assert_eq!(roles(Method::Get, "/admin/geraete"), vec![FormEditor, DeviceAdmin]);
    assert_eq!(roles(Method::Post, "/admin/geraete"), vec![DeviceAdmin]);
    assert_eq!(roles(Method::Post, "/admin/geraete/{id}/sperren"), vec![DeviceAdmin]);
    assert_eq!(roles(Method::Get, "/admin/betrieb/konten"), vec![Operator]);
    assert_eq!(roles(Method::Get, "/admin/ziele"), vec![FormEditor, InboxUser]);
    assert_eq!(roles(Method::Post, "/admin/ziele"), vec![FormEditor]);
    assert_eq!(roles(Method::Post, "/admin/formulare"), vec![FormEditor]);
    assert_eq!(roles(Method::Post, "/admin/geraete/{id}/kanal"), vec![FormEditor]);
    assert_eq!(roles(Method::Get, "/admin/formulare/{id}"), vec![FormEditor, DeviceAdmin]);
    assert_eq!(roles(Method::Get, "/admin/protokoll").len(), 4);
    assert_eq!(find(Method::Get, "/admin/anmelden").access, Access::Public);
    assert_eq!(find(Method::Post, "/admin/anmelden/code").access, Access::SecondFactor);
}
