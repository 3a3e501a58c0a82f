//! The console's pages: every page rendered with realistic data, escaped output, no script or inline style,
//! CSRF tokens in every form that changes something, navigation and actions by role, the 404 page, the style
//! sheet's hashed name and the security headers.
//!
//! Set `CONSOLE_PREVIEW_DIR` to a folder to have `pages_render_as_whole_documents` write every page there
//! next to the style sheet, ready to open in a browser.

use formdesk_console::pages::account::{AccountNotice, AccountPage, Totp, render_account};
use formdesk_console::pages::assets::CONTENT_SECURITY_POLICY;
use formdesk_console::pages::audit::{AuditEntry, AuditKind, AuditPage, Checkpoint, Verification, render_audit};
use formdesk_console::pages::destinations::{
    DestinationProblem, DestinationRow, DestinationsPage, render_destinations,
};
use formdesk_console::pages::devices::{
    Channel, DeviceEnrolledPage, DeviceRow, DeviceState, DevicesPage, RevokeDevicePage, render_device_enrolled,
    render_devices, render_revoke_device,
};
use formdesk_console::pages::errors::{ErrorKind, ErrorPage, render_error, render_not_found};
use formdesk_console::pages::forms::{
    FormPage, FormRow, FormState, FormVersionRow, FormsPage, ImportReport, Origin, ReportFinding, Rollout, render_form,
    render_forms,
};
use formdesk_console::pages::inbox::{InboxPage, InboxRow, render_inbox};
use formdesk_console::pages::operator::{
    AccountProblem, AccountRow, AccountsPage, CheckpointRow, CreatedAccount, ExpiryRow, HealthPage, InstanceRow,
    OperatorOverviewPage, TenantChoice, TenantHealthRow, TenantProblem, TenantRow, TenantsPage, render_accounts,
    render_health, render_operator_overview, render_tenants,
};
use formdesk_console::pages::overview::{TenantOverviewPage, render_tenant_overview};
use formdesk_console::pages::qr;
use formdesk_console::pages::sign_in::{
    PasswordProblem, SecondFactorPage, SetupPage, SignInNotice, SignInPage, render_second_factor, render_setup,
    render_sign_in,
};
use formdesk_console::pages::{Role, Viewer, page_headers, stylesheet, stylesheet_headers, stylesheet_name};

const CSRF: &str = "q3Jk8vN1xW0tZsR4mYp7LbHc2DfGaEuI9oTn6VwXyQ";
const HOSTILE: &str = "<script>alert(1)</script>";

fn viewer(name: &str, roles: &[Role]) -> Viewer {
    Viewer {
        display_name: name.to_owned(),
        tenant_name: if roles.contains(&Role::Operator) { None } else { Some("Gemeinde Hiddenhausen".to_owned()) },
        roles: roles.to_vec(),
        csrf: CSRF.to_owned(),
    }
}

fn operator() -> Viewer {
    viewer("Rechenzentrum Lippe", &[Role::Operator])
}
fn form_editor() -> Viewer {
    viewer("Petra Schmidt", &[Role::FormEditor])
}
fn device_admin() -> Viewer {
    viewer("Jens Kowalski", &[Role::DeviceAdmin])
}
fn inbox_user() -> Viewer {
    viewer("Ayşe Demir", &[Role::InboxUser])
}
fn all_tenant_roles() -> Viewer {
    viewer("Maria Hoffmann", &[Role::FormEditor, Role::DeviceAdmin, Role::InboxUser])
}

fn devices_page(name: &str) -> DevicesPage {
    DevicesPage {
        devices: vec![
            DeviceRow {
                id: "d-7f3a".to_owned(),
                name: "Bürgerbüro Platz 1".to_owned(),
                state: DeviceState::Enrolled,
                channel: Channel::Pilot,
                form_set: Some("Stand 14".to_owned()),
                app_version: Some("0.0.2".to_owned()),
                last_contact: Some("06.12.2026, 17:12".to_owned()),
                error: None,
            },
            DeviceRow {
                id: "d-91bc".to_owned(),
                name: name.to_owned(),
                state: DeviceState::Enrolled,
                channel: Channel::All,
                form_set: Some("Stand 13".to_owned()),
                app_version: Some("0.0.1".to_owned()),
                last_contact: Some("05.12.2026, 16:58".to_owned()),
                error: Some("Formularstand konnte nicht geprüft werden (keine Verbindung)".to_owned()),
            },
            DeviceRow {
                id: "d-a204".to_owned(),
                name: "Standesamt Laptop".to_owned(),
                state: DeviceState::CodeOpen { until: "06.12.2026, 19:30".to_owned() },
                channel: Channel::All,
                form_set: None,
                app_version: None,
                last_contact: None,
                error: None,
            },
            DeviceRow {
                id: "d-0c11".to_owned(),
                name: "Alter Schalter Eingang".to_owned(),
                state: DeviceState::Revoked,
                channel: Channel::All,
                form_set: Some("Stand 9".to_owned()),
                app_version: None,
                last_contact: Some("12.08.2026, 11:04".to_owned()),
                error: None,
            },
        ],
    }
}

fn enrolled_page(name: &str) -> DeviceEnrolledPage {
    DeviceEnrolledPage {
        device_name: name.to_owned(),
        code: "K7QF-M2XD-9TPA".to_owned(),
        valid_until: "06.12.2026, 19:30".to_owned(),
        qr_text: "formdesk-enrol:https://portal.krz.de#K7QF-M2XD-9TPA".to_owned(),
    }
}

fn revoke_page(name: &str) -> RevokeDevicePage {
    RevokeDevicePage {
        id: "d-91bc".to_owned(),
        name: name.to_owned(),
        last_contact: Some("05.12.2026, 16:58".to_owned()),
    }
}

fn forms_page() -> FormsPage {
    FormsPage {
        form_set_version: 14,
        notice: None,
        problem: None,
        forms: vec![
            FormRow {
                id: "hundesteuer-anmeldung".to_owned(),
                title: "Anmeldung eines Hundes zur Hundesteuer".to_owned(),
                version: "2.1.0".to_owned(),
                state: FormState::Open,
                rollout: Rollout::All,
                origin: Origin::Own,
            },
            FormRow {
                id: "wohnsitz-anmeldung".to_owned(),
                title: "Anmeldung einer Wohnung".to_owned(),
                version: "1.4.2".to_owned(),
                state: FormState::Open,
                rollout: Rollout::Pilot,
                origin: Origin::Catalogue,
            },
            FormRow {
                id: "sondernutzung-weihnachtsmarkt".to_owned(),
                title: "Sondernutzung Weihnachtsmarkt".to_owned(),
                version: "1.0.0".to_owned(),
                state: FormState::Closing { on: "31.12.2026".to_owned() },
                rollout: Rollout::All,
                origin: Origin::Own,
            },
            FormRow {
                id: "gewerbe-anzeige-alt".to_owned(),
                title: "Gewerbeanzeige (alte Fassung)".to_owned(),
                version: "3.0.1".to_owned(),
                state: FormState::Withdrawn,
                rollout: Rollout::All,
                origin: Origin::Catalogue,
            },
        ],
    }
}

fn form_page() -> FormPage {
    FormPage {
        id: "hundesteuer-anmeldung".to_owned(),
        title: "Anmeldung eines Hundes zur Hundesteuer".to_owned(),
        origin: Origin::Own,
        versions: vec![
            FormVersionRow {
                version: "2.1.0".to_owned(),
                sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_owned(),
                state: FormState::Open,
                rollout: Rollout::Pilot,
                desks: vec!["Bürgerbüro Platz 1".to_owned()],
                uploaded_at: "04.12.2026, 10:14".to_owned(),
                uploaded_by: "Petra Schmidt".to_owned(),
            },
            FormVersionRow {
                version: "2.0.3".to_owned(),
                sha256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752".to_owned(),
                state: FormState::Open,
                rollout: Rollout::All,
                desks: vec!["Bürgerbüro Platz 2".to_owned(), "Standesamt Laptop".to_owned()],
                uploaded_at: "02.10.2026, 08:51".to_owned(),
                uploaded_by: "Petra Schmidt".to_owned(),
            },
        ],
        report: Some(Ok(ImportReport {
            source: "S60000011 Version 1.3".to_owned(),
            findings: vec![
                ReportFinding {
                    kind: "Regeln (als Bedingungen zu formulieren)".to_owned(),
                    element: Some("R60000037 Halter volljährig".to_owned()),
                    path: Some("halter.geburtsdatum".to_owned()),
                    message: "Die Regel „Der Halter muss volljährig sein“ ist als Bedingung zu formulieren.".to_owned(),
                },
                ReportFinding {
                    kind: "Codelisten".to_owned(),
                    element: Some("F60000288 Hunderasse".to_owned()),
                    path: Some("hund[].rasse".to_owned()),
                    message: "Codeliste urn:de:hundesteuer:rassen nicht gefunden; Freitextfeld angelegt.".to_owned(),
                },
                ReportFinding {
                    kind: "Hinweise".to_owned(),
                    element: None,
                    path: None,
                    message: "Das Schema nennt keine Gebühr.".to_owned(),
                },
            ],
        })),
    }
}

fn destinations_page() -> DestinationsPage {
    DestinationsPage {
        destinations: vec![
            DestinationRow {
                id: "steueramt".to_owned(),
                name: "Steueramt".to_owned(),
                kid: "sha256:3b9f1c0e77a2d4f1".to_owned(),
                forms: vec!["Anmeldung eines Hundes zur Hundesteuer".to_owned()],
            },
            DestinationRow {
                id: "ordnungsamt".to_owned(),
                name: "Ordnungsamt".to_owned(),
                kid: "sha256:a01f55e2c9d8b7e3".to_owned(),
                forms: vec!["Sondernutzung Weihnachtsmarkt".to_owned()],
            },
        ],
        forms_without_destination: vec!["Anmeldung einer Wohnung".to_owned()],
        problem: Some(DestinationProblem::KeyUnreadable),
    }
}

fn inbox_page(operator_view: bool, may_pick_up: bool) -> InboxPage {
    let tenant = |name: &str| operator_view.then(|| name.to_owned());
    InboxPage {
        rows: vec![
            InboxRow {
                destination_id: "steueramt".to_owned(),
                name: "Steueramt".to_owned(),
                tenant: tenant("Gemeinde Hiddenhausen"),
                announced: 2,
                waiting: 17,
                picked_up_7_days: 41,
                oldest_waiting: Some("01.12.2026, 09:03".to_owned()),
                may_pick_up,
                may_download_again: true,
            },
            InboxRow {
                destination_id: "ordnungsamt".to_owned(),
                name: "Ordnungsamt".to_owned(),
                tenant: tenant("Stadt Bünde"),
                announced: 0,
                waiting: 0,
                picked_up_7_days: 6,
                oldest_waiting: None,
                may_pick_up: false,
                may_download_again: false,
            },
        ],
    }
}

fn audit_page() -> AuditPage {
    let entries = [
        ("Jens Kowalski", "Gerät gesperrt", "d-0c11"),
        ("Petra Schmidt", "Formular veröffentlicht", "hundesteuer-anmeldung 2.1.0"),
        ("Bürgerbüro Platz 1", "Formularstand installiert", "Stand 14"),
        ("Ayşe Demir", "Anträge abgeholt", "steueramt (17)"),
        ("Jens Kowalski", "Angemeldet", "Konto 12"),
    ];
    AuditPage {
        entries: entries
            .iter()
            .enumerate()
            .map(|(i, (actor, action, object))| AuditEntry {
                seq: 1284 - i as u64,
                at: format!("06.12.2026, 17:{:02}:07", 41 - i * 7),
                actor: (*actor).to_owned(),
                action: (*action).to_owned(),
                object: (*object).to_owned(),
            })
            .collect(),
        page: 2,
        pages: 26,
        head_hash: "c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a".to_owned(),
        last_checkpoint: Some(Checkpoint { size: 1280, at: "06.12.2026, 17:00".to_owned() }),
        verification: Some(Verification::Intact { entries: 1284 }),
        kinds: [
            ("anmeldung", "Angemeldet"),
            ("geraet-gesperrt", "Gerät gesperrt"),
            ("veroeffentlicht", "Formular veröffentlicht"),
        ]
        .iter()
        .map(|(value, label)| AuditKind { value: (*value).to_owned(), label: (*label).to_owned() })
        .collect(),
        selected_kind: None,
    }
}

fn account_page(totp: Totp) -> AccountPage {
    AccountPage { login: "p.schmidt".to_owned(), totp, password_problem: None, notice: None }
}

fn setting_up() -> Totp {
    Totp::SettingUp {
        uri: "otpauth://totp/Formdesk:p.schmidt?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Formdesk".to_owned(),
        secret: "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP".to_owned(),
        wrong_code: true,
    }
}

fn operator_overview_page(name: &str) -> OperatorOverviewPage {
    OperatorOverviewPage {
        tenants: vec![
            TenantHealthRow {
                ars: "057580016016".to_owned(),
                name: name.to_owned(),
                desks: 6,
                last_contact: Some("06.12.2026, 17:40".to_owned()),
                form_set_age_days: Some(2),
                signature_ends_in_days: Some(88),
                waiting: 17,
                oldest_waiting: Some("01.12.2026, 09:03".to_owned()),
                audit_verified: true,
                suspended: false,
            },
            TenantHealthRow {
                ars: "057580004004".to_owned(),
                name: "Stadt Bünde".to_owned(),
                desks: 11,
                last_contact: Some("06.12.2026, 17:38".to_owned()),
                form_set_age_days: Some(31),
                signature_ends_in_days: Some(5),
                waiting: 0,
                oldest_waiting: None,
                audit_verified: true,
                suspended: false,
            },
            TenantHealthRow {
                ars: "057580020020".to_owned(),
                name: "Gemeinde Kirchlengern".to_owned(),
                desks: 0,
                last_contact: None,
                form_set_age_days: None,
                signature_ends_in_days: None,
                waiting: 0,
                oldest_waiting: None,
                audit_verified: false,
                suspended: true,
            },
        ],
    }
}

fn tenants_page() -> TenantsPage {
    TenantsPage {
        tenants: vec![
            TenantRow {
                ars: "057580016016".to_owned(),
                name: "Gemeinde Hiddenhausen".to_owned(),
                created: "01.10.2026".to_owned(),
                accounts: 4,
                suspended: false,
            },
            TenantRow {
                ars: "057580004004".to_owned(),
                name: "Stadt Bünde".to_owned(),
                created: "03.10.2026".to_owned(),
                accounts: 7,
                suspended: false,
            },
        ],
        problem: Some(TenantProblem::ArsInvalid),
        entered: Some(("05758001601".to_owned(), "Gemeinde Kirchlengern".to_owned())),
    }
}

fn accounts_page() -> AccountsPage {
    AccountsPage {
        accounts: vec![
            AccountRow {
                id: "1".to_owned(),
                login: "betrieb".to_owned(),
                display_name: "Rechenzentrum Lippe".to_owned(),
                tenant: None,
                roles: vec![Role::Operator],
                totp: true,
                setup_pending: false,
                disabled: false,
            },
            AccountRow {
                id: "12".to_owned(),
                login: "p.schmidt".to_owned(),
                display_name: "Petra Schmidt".to_owned(),
                tenant: Some("Gemeinde Hiddenhausen".to_owned()),
                roles: vec![Role::FormEditor, Role::DeviceAdmin],
                totp: false,
                setup_pending: false,
                disabled: false,
            },
            AccountRow {
                id: "14".to_owned(),
                login: "a.demir".to_owned(),
                display_name: "Ayşe Demir".to_owned(),
                tenant: Some("Gemeinde Hiddenhausen".to_owned()),
                roles: vec![Role::InboxUser],
                totp: false,
                setup_pending: true,
                disabled: false,
            },
        ],
        tenants: vec![
            TenantChoice { ars: "057580016016".to_owned(), name: "Gemeinde Hiddenhausen".to_owned() },
            TenantChoice { ars: "057580004004".to_owned(), name: "Stadt Bünde".to_owned() },
        ],
        created: Some(CreatedAccount {
            login: "a.demir".to_owned(),
            setup_link: "https://portal.krz.de/admin/einrichten/Zk3v0T9qLr2m8WcY1xHnB5aPsD7fGjEu".to_owned(),
            valid_until: "09.12.2026, 17:45".to_owned(),
        }),
        problem: None,
    }
}

fn health_page() -> HealthPage {
    HealthPage {
        database_ms: Some(3),
        instances: vec![
            InstanceRow { name: "portal-1 (pid 4121)".to_owned(), last_seen: "06.12.2026, 17:44".to_owned() },
            InstanceRow { name: "portal-2 (pid 977)".to_owned(), last_seen: "06.12.2026, 17:43".to_owned() },
        ],
        expiries: vec![
            ExpiryRow {
                tenant: "Stadt Bünde".to_owned(),
                what: "Mandantenrolle".to_owned(),
                expires: "11.12.2026".to_owned(),
                days_left: 5,
            },
            ExpiryRow {
                tenant: "gemeinsamer Katalog".to_owned(),
                what: "Formularstand".to_owned(),
                expires: "02.03.2027".to_owned(),
                days_left: 86,
            },
        ],
        purge_backlog: Some(12),
        checked: false,
        checkpoints: vec![
            CheckpointRow {
                tenant: "Betrieb".to_owned(),
                size: 311,
                at: "06.12.2026, 17:00".to_owned(),
                verified: true,
            },
            CheckpointRow {
                tenant: "Gemeinde Hiddenhausen".to_owned(),
                size: 1280,
                at: "06.12.2026, 17:00".to_owned(),
                verified: true,
            },
        ],
    }
}

fn tenant_overview_page() -> TenantOverviewPage {
    TenantOverviewPage {
        name: "Gemeinde Hiddenhausen".to_owned(),
        ars: "057580016016".to_owned(),
        logo_path: None,
        desks_enrolled: 3,
        desks_revoked: 1,
        desks_behind: 1,
        form_set_version: 14,
        form_set_age_days: 2,
        signature_ends_in_days: Some(88),
        waiting: 17,
    }
}

/// Every page, with a file name for previews. Device and tenant names are `name`.
fn all_pages(name: &str) -> Vec<(&'static str, String)> {
    let op = operator();
    let fe = form_editor();
    let da = device_admin();
    let iu = inbox_user();
    let all = all_tenant_roles();
    let r = |res: Result<String, formdesk_console::pages::PageError>| res.expect("the page renders");
    vec![
        ("anmelden", r(render_sign_in(&SignInPage { csrf: CSRF.to_owned(), login: String::new(), notice: None }))),
        (
            "anmelden-fehler",
            r(render_sign_in(&SignInPage {
                csrf: CSRF.to_owned(),
                login: "p.schmidt".to_owned(),
                notice: Some(SignInNotice::WrongCredentials),
            })),
        ),
        (
            "anmelden-gebremst",
            r(render_sign_in(&SignInPage {
                csrf: CSRF.to_owned(),
                login: "p.schmidt".to_owned(),
                notice: Some(SignInNotice::Throttled { seconds: 8 }),
            })),
        ),
        ("bestaetigungscode", r(render_second_factor(&SecondFactorPage { csrf: CSRF.to_owned(), wrong_code: true }))),
        (
            "konto-einrichten",
            r(render_setup(&SetupPage {
                csrf: CSRF.to_owned(),
                token: "Zk3v0T9qLr2m8WcY1xHnB5aPsD7fGjEu".to_owned(),
                login: "a.demir".to_owned(),
                display_name: "Ayşe Demir".to_owned(),
                valid_until: "09.12.2026, 17:45".to_owned(),
                problem: Some(PasswordProblem::TooShort),
            })),
        ),
        ("uebersicht", r(render_tenant_overview(&all, &tenant_overview_page()))),
        ("uebersicht-posteingang", r(render_tenant_overview(&iu, &tenant_overview_page()))),
        ("uebersicht-betrieb", r(render_operator_overview(&op, &operator_overview_page("Gemeinde Hiddenhausen")))),
        ("geraete", r(render_devices(&da, &devices_page(name)))),
        ("geraete-formularverwaltung", r(render_devices(&fe, &devices_page(name)))),
        ("geraet-eingerichtet", r(render_device_enrolled(&da, &enrolled_page(name)))),
        ("geraet-sperren", r(render_revoke_device(&da, &revoke_page(name)))),
        ("formulare", r(render_forms(&fe, &forms_page()))),
        ("formulare-geraeteverwaltung", r(render_forms(&da, &forms_page()))),
        ("formular", r(render_form(&fe, &form_page()))),
        (
            "formular-bericht-unlesbar",
            r(render_form(
                &fe,
                &FormPage {
                    report: Some(ImportReport::from_json(&serde_json::json!({"formatVersion": 2}))),
                    ..form_page()
                },
            )),
        ),
        ("ziele", r(render_destinations(&fe, &destinations_page()))),
        ("ziele-posteingang", r(render_destinations(&iu, &destinations_page()))),
        ("eingang", r(render_inbox(&iu, &inbox_page(false, true)))),
        ("eingang-geraeteverwaltung", r(render_inbox(&da, &inbox_page(false, false)))),
        ("eingang-betrieb", r(render_inbox(&op, &inbox_page(true, false)))),
        ("protokoll", r(render_audit(&all, &audit_page()))),
        ("konto", r(render_account(&fe, &account_page(Totp::Off)))),
        ("konto-totp-einrichten", r(render_account(&fe, &account_page(setting_up())))),
        (
            "konto-betrieb",
            r(render_account(
                &op,
                &AccountPage {
                    login: "betrieb".to_owned(),
                    totp: Totp::On { may_switch_off: false },
                    password_problem: Some(PasswordProblem::Mismatch),
                    notice: Some(AccountNotice::TotpOn),
                },
            )),
        ),
        ("mandanten", r(render_tenants(&op, &tenants_page()))),
        ("konten", r(render_accounts(&op, &accounts_page()))),
        ("zustand", r(render_health(&op, &health_page()))),
        ("nicht-gefunden", r(render_not_found(Some(&all)))),
        ("nicht-gefunden-ohne-sitzung", r(render_not_found(None))),
        (
            "fehler",
            r(render_error(
                Some(&all),
                &ErrorPage { kind: ErrorKind::Internal, reference: Some("F-2026-12-06-4821".to_owned()) },
            )),
        ),
    ]
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The start tags of a document, each as the text between `<` and `>`.
fn start_tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let tag = &after[..end];
        if tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            tags.push(tag);
        }
        rest = &after[end..];
    }
    tags
}

/// The attribute names of a start tag (the tag name left out).
fn attribute_names(tag: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = tag.chars().peekable();
    // Skip the tag name.
    while chars.peek().is_some_and(|c| !c.is_whitespace()) {
        chars.next();
    }
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '=' || c == '/' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() {
            break;
        }
        names.push(name.to_ascii_lowercase());
        if chars.peek() == Some(&'=') {
            chars.next();
            match chars.peek() {
                Some('"') | Some('\'') => {
                    let quote = chars.next();
                    for c in chars.by_ref() {
                        if Some(c) == quote {
                            break;
                        }
                    }
                }
                _ => {
                    while chars.peek().is_some_and(|c| !c.is_whitespace()) {
                        chars.next();
                    }
                }
            }
        }
    }
    names
}

/// The value of an attribute in a start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// The forms of a document: (the `<form …` start tag, its contents).
fn forms(html: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let after = &rest[start..];
        let tag_end = after.find('>').expect("a form start tag ends");
        let end = after.find("</form>").expect("every form is closed");
        out.push((&after[..tag_end], &after[tag_end..end]));
        rest = &after[end..];
    }
    out
}

fn nav(html: &str) -> &str {
    let start = html.find("<nav class=\"site-nav\"").expect("the page has the navigation");
    let end = start + html[start..].find("</nav>").expect("the navigation is closed");
    &html[start..end]
}

#[test]
fn pages_render_as_whole_documents() {
    let (css_name, css_body) = stylesheet();
    let preview = std::env::var_os("CONSOLE_PREVIEW_DIR").map(std::path::PathBuf::from);
    if let Some(dir) = &preview {
        std::fs::create_dir_all(dir).expect("the preview folder can be made");
        std::fs::write(dir.join(&css_name), css_body).expect("the style sheet is written");
    }
    for (name, html) in all_pages("Bürgerbüro Platz 2") {
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"de\">"), "{name}: doctype and language");
        assert_eq!(count(&html, "<h1"), 1, "{name}: exactly one h1");
        assert_eq!(count(&html, "<main id=\"inhalt\""), 1, "{name}: one main landmark");
        assert!(html.contains("<a class=\"skip-link\" href=\"#inhalt\">"), "{name}: skip link");
        assert!(html.contains("<title>") && html.contains(" – Formdesk</title>"), "{name}: title");
        assert!(
            html.contains(&format!("<link rel=\"stylesheet\" href=\"/admin/static/{css_name}\">")),
            "{name}: links the hashed style sheet"
        );
        assert!(html.contains("<span class=\"brand__product\">Formdesk</span>"), "{name}: product name");
        if let Some(dir) = &preview {
            let local = html.replace(&format!("/admin/static/{css_name}"), &css_name);
            std::fs::write(dir.join(format!("{name}.html")), local).expect("the page is written");
        }
    }
}

#[test]
fn no_page_has_script_inline_style_or_event_handlers() {
    for (name, html) in all_pages("Bürgerbüro Platz 2") {
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{name}: script element");
        assert!(!lower.contains("<style"), "{name}: style element");
        assert!(!lower.contains("style="), "{name}: style attribute");
        assert!(!lower.contains("javascript:"), "{name}: javascript URL");
        for tag in start_tags(&html) {
            for attr in attribute_names(tag) {
                assert!(!attr.starts_with("on"), "{name}: event handler attribute {attr} in <{tag}>");
                assert_ne!(attr, "style", "{name}: style attribute in <{tag}>");
            }
        }
    }
}

#[test]
fn hostile_names_come_out_escaped() {
    let mut hostile_viewer = all_tenant_roles();
    hostile_viewer.display_name = HOSTILE.to_owned();
    hostile_viewer.tenant_name = Some(format!("Gemeinde \"{HOSTILE}\""));
    let pages = [
        render_devices(&hostile_viewer, &devices_page(HOSTILE)),
        render_device_enrolled(&hostile_viewer, &enrolled_page(HOSTILE)),
        render_revoke_device(&hostile_viewer, &revoke_page(HOSTILE)),
        render_operator_overview(&operator(), &operator_overview_page(HOSTILE)),
        render_not_found(Some(&hostile_viewer)),
    ];
    for html in pages {
        let html = html.expect("the page renders");
        assert!(!html.contains(HOSTILE), "the name is escaped");
        assert!(!html.to_ascii_lowercase().contains("<script"), "no script element");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the name is shown as text"
        );
    }
    // A hostile id in a link cannot leave its attribute.
    let mut page = devices_page("Platz 3");
    page.devices[0].id = "\" onclick=\"x".to_owned();
    let html = render_devices(&device_admin(), &page).expect("the page renders");
    for tag in start_tags(&html) {
        assert!(!attribute_names(tag).iter().any(|a| a == "onclick"), "the id stays inside the attribute");
    }
}

#[test]
fn every_post_form_carries_the_csrf_token() {
    let mut post_forms = 0;
    for (name, html) in all_pages("Bürgerbüro Platz 2") {
        for (tag, body) in forms(&html) {
            let method = attribute(tag, "method").expect("every form states its method");
            if method == "post" {
                post_forms += 1;
                assert!(
                    body.contains(&format!("<input type=\"hidden\" name=\"csrf\" value=\"{CSRF}\">")),
                    "{name}: {tag} has the csrf field"
                );
                let action = attribute(tag, "action").expect("every form states its action");
                assert!(action.starts_with("/admin/"), "{name}: posts to the console, not {action}");
            } else {
                assert_eq!(method, "get", "{name}: {tag}");
            }
        }
    }
    assert!(post_forms > 30, "the sample pages have many forms ({post_forms})");
}

#[test]
fn navigation_follows_the_route_table() {
    let links = |v: &Viewer| -> String { nav(&render_not_found(Some(v)).expect("the page renders")).to_owned() };
    let has = |nav: &str, path: &str| nav.contains(&format!("href=\"{path}\""));
    let everyone = ["/admin/", "/admin/eingang", "/admin/protokoll", "/admin/konto"];
    let operator_only = ["/admin/betrieb/mandanten", "/admin/betrieb/konten", "/admin/betrieb/zustand"];

    let op = links(&operator());
    for path in everyone.iter().chain(&operator_only) {
        assert!(has(&op, path), "operator: {path}");
    }
    for path in ["/admin/geraete", "/admin/formulare", "/admin/ziele"] {
        assert!(!has(&op, path), "operator never sees a tenant's {path}");
    }

    let fe = links(&form_editor());
    for path in everyone.iter().chain(&["/admin/geraete", "/admin/formulare", "/admin/ziele"]) {
        assert!(has(&fe, path), "form editor: {path}");
    }

    let da = links(&device_admin());
    for path in everyone.iter().chain(&["/admin/geraete", "/admin/formulare"]) {
        assert!(has(&da, path), "device admin: {path}");
    }
    assert!(!has(&da, "/admin/ziele"), "device admin: no Ziele");

    let iu = links(&inbox_user());
    for path in everyone.iter().chain(&["/admin/ziele"]) {
        assert!(has(&iu, path), "inbox user: {path}");
    }
    for path in ["/admin/geraete", "/admin/formulare"] {
        assert!(!has(&iu, path), "inbox user: no {path}");
    }
    for nav in [&fe, &da, &iu] {
        assert!(!nav.contains("/admin/betrieb/"), "tenant accounts see no operator pages");
    }

    // The header names the tenant, or "Betrieb" for the operator, and the person.
    let op_page = render_not_found(Some(&operator())).expect("the page renders");
    assert!(op_page.contains("<span class=\"brand__context\">Betrieb</span>"));
    assert!(op_page.contains("<strong>Rechenzentrum Lippe</strong>"));
    let iu_page = render_not_found(Some(&inbox_user())).expect("the page renders");
    assert!(iu_page.contains("<span class=\"brand__context\">Gemeinde Hiddenhausen</span>"));
    // The current section is marked.
    let devices = render_devices(&device_admin(), &devices_page("Platz 2")).expect("the page renders");
    assert!(nav(&devices).contains("<a href=\"/admin/geraete\" aria-current=\"page\">Geräte</a>"));
}

#[test]
fn actions_follow_the_roles() {
    let page = devices_page("Bürgerbüro Platz 2");
    let da = render_devices(&device_admin(), &page).expect("the page renders");
    assert!(da.contains("action=\"/admin/geraete\""), "device admin can enrol");
    assert_eq!(count(&da, "/sperren\""), 3, "Sperren for each desk not yet revoked");
    assert!(!da.contains("/kanal\""), "device admin cannot set the channel");

    let fe = render_devices(&form_editor(), &page).expect("the page renders");
    assert!(!fe.contains("action=\"/admin/geraete\""), "form editor cannot enrol");
    assert!(!fe.contains("/sperren"), "form editor cannot revoke");
    assert_eq!(count(&fe, "/kanal\""), 3, "channel buttons for each desk not revoked");

    let forms_fe = render_forms(&form_editor(), &forms_page()).expect("the page renders");
    let forms_da = render_forms(&device_admin(), &forms_page()).expect("the page renders");
    assert!(forms_fe.contains("Formularstand hochladen</button>"));
    assert!(forms_fe.contains("enctype=\"multipart/form-data\""));
    assert!(forms_fe.contains("<form method=\"post\" action=\"/admin/formulare\""));
    assert!(!forms_da.contains("<form method=\"post\" action=\"/admin/formulare\""), "device admins only read forms");
    let refused = FormsPage { problem: Some("Das Formularpaket ist veraltet.".into()), ..forms_page() };
    let refused = render_forms(&form_editor(), &refused).expect("the page renders");
    assert!(refused.contains("role=\"alert\">Das Formularpaket ist veraltet.</p>"), "{refused}");
    assert!(refused.contains("aria-describedby=\"paket-hinweis paket-fehler\""));

    let dest_fe = render_destinations(&form_editor(), &destinations_page()).expect("the page renders");
    let dest_iu = render_destinations(&inbox_user(), &destinations_page()).expect("the page renders");
    assert!(dest_fe.contains("Ziel hinzufügen</button>") && dest_fe.contains("type=\"file\""));
    assert!(!dest_iu.contains("<form method=\"post\" action=\"/admin/ziele\""), "inbox users only read");

    let inbox_iu = render_inbox(&inbox_user(), &inbox_page(false, true)).expect("the page renders");
    let inbox_da = render_inbox(&device_admin(), &inbox_page(false, false)).expect("the page renders");
    let inbox_op = render_inbox(&operator(), &inbox_page(true, false)).expect("the page renders");
    assert!(inbox_iu.contains("href=\"/admin/eingang/steueramt/abholen\""));
    assert!(inbox_iu.contains("href=\"/admin/eingang/steueramt/abholen?erneut=1\" download>Erneut herunterladen"));
    assert!(!inbox_iu.contains("/admin/eingang/ordnungsamt/abholen"), "nothing waiting, not bound");
    assert!(!inbox_da.contains("/abholen"));
    assert!(!inbox_op.contains("/abholen"));
    assert!(inbox_op.contains("<th scope=\"col\">Mandant</th>"), "the operator sees the tenant");
    assert!(!inbox_iu.contains("<th scope=\"col\">Mandant</th>"));
}

#[test]
fn the_not_found_page_is_the_same_for_every_path() {
    // The page takes nothing about the request, so a route a role may not use, another tenant's object
    // and an object that never existed answer alike. This is how the portal calls it for any path.
    let answer = |_path: &str, viewer: Option<&Viewer>| render_not_found(viewer).expect("the page renders");
    let viewer = device_admin();
    let paths = [
        "/admin/geraete/d-7f3a-of-another-tenant",
        "/admin/geraete/does-not-exist",
        "/admin/betrieb/mandanten",
        "/admin/eingang/steueramt/abholen",
        "/admin/%3Cscript%3E",
    ];
    let first = answer(paths[0], Some(&viewer));
    for path in paths {
        assert_eq!(answer(path, Some(&viewer)), first, "{path}");
        assert_eq!(answer(path, None), answer(paths[0], None), "{path} without a session");
    }
    assert!(first.contains("<h1>Seite nicht gefunden</h1>"));
    assert!(!first.contains("d-7f3a"));
    let anonymous = answer(paths[0], None);
    assert!(!anonymous.contains("site-nav"), "no navigation without a session");
    assert!(!anonymous.contains("/admin/abmelden"), "no sign-out without a session");
}

#[test]
fn the_style_sheet_name_follows_its_content() {
    let (name, body) = stylesheet();
    assert_eq!(name, stylesheet_name(body));
    assert!(name.starts_with("console.") && name.ends_with(".css") && name.len() == "console..css".len() + 16);
    assert!(name["console.".len()..name.len() - 4].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let changed = format!("{body}\n.extra {{ color: #000000; }}\n");
    assert_ne!(stylesheet_name(&changed), name, "another content, another name");
    assert_eq!(stylesheet_name(&changed), stylesheet_name(&changed), "the same content, the same name");
    // SHA-256 of the empty string begins e3b0c44298fc1c14.
    assert_eq!(stylesheet_name(""), "console.e3b0c44298fc1c14.css");
    // The sheet honours the CSP itself: nothing it loads from elsewhere.
    assert!(!body.contains("url(") && !body.contains("@import"));
    assert!(body.contains(":focus-visible"), "focus is visible");
}

#[test]
fn security_headers() {
    let page: Vec<_> = page_headers().to_vec();
    let get =
        |headers: &[(&str, &str)], name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    let csp = get(&page, "Content-Security-Policy").expect("a CSP");
    assert_eq!(csp, CONTENT_SECURITY_POLICY);
    for directive in [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.split("; ").any(|d| d == directive), "{directive}");
    }
    assert!(!csp.contains("script-src") && !csp.contains("unsafe") && !csp.contains("data:"));
    assert_eq!(get(&page, "Cache-Control").as_deref(), Some("no-store"));
    assert_eq!(get(&page, "X-Content-Type-Options").as_deref(), Some("nosniff"));
    assert_eq!(get(&page, "Referrer-Policy").as_deref(), Some("same-origin"));
    assert_eq!(get(&page, "Cross-Origin-Opener-Policy").as_deref(), Some("same-origin"));

    let sheet = stylesheet_headers();
    assert_eq!(get(sheet, "Content-Type").as_deref(), Some("text/css; charset=utf-8"));
    assert_eq!(get(sheet, "Cache-Control").as_deref(), Some("public, max-age=31536000, immutable"));
    assert_eq!(get(sheet, "X-Content-Type-Options").as_deref(), Some("nosniff"));
}

#[test]
fn every_field_has_a_label_and_references_resolve() {
    for (name, html) in all_pages("Bürgerbüro Platz 2") {
        let tags = start_tags(&html);
        let ids: Vec<&str> = tags.iter().filter_map(|t| attribute(t, "id")).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{name}: ids are unique");
        for tag in &tags {
            let is_field = tag.starts_with("input ") || tag.starts_with("select ") || tag.starts_with("textarea ");
            let hidden = attribute(tag, "type") == Some("hidden") || tag.ends_with(" hidden");
            if is_field && !hidden {
                let id = attribute(tag, "id").unwrap_or_else(|| panic!("{name}: <{tag}> has an id"));
                assert!(html.contains(&format!("<label for=\"{id}\">")), "{name}: #{id} has a label");
            }
            if is_field && tag.contains(" required") {
                let id = attribute(tag, "id").unwrap_or_default();
                let label_at = html.find(&format!("<label for=\"{id}\">")).unwrap_or_default();
                let label = &html[label_at..label_at + html[label_at..].find("</label>").unwrap_or_default()];
                assert!(label.contains("(Pflichtfeld)"), "{name}: #{id} is marked as required");
            }
            for attr in ["aria-describedby", "aria-labelledby"] {
                if let Some(refs) = attribute(tag, attr) {
                    for r in refs.split_whitespace() {
                        assert!(ids.contains(&r), "{name}: {attr} names #{r}, which exists");
                    }
                }
            }
            if tag.starts_with("th") && (tag.len() == 2 || tag.starts_with("th ")) {
                assert!(attribute(tag, "scope").is_some(), "{name}: <{tag}> has a scope");
            }
        }
    }
}

#[test]
fn sign_in_pages_say_what_went_wrong() {
    let html = render_sign_in(&SignInPage {
        csrf: CSRF.to_owned(),
        login: "p.schmidt".to_owned(),
        notice: Some(SignInNotice::WrongCredentials),
    })
    .expect("the page renders");
    assert!(html.contains("Anmeldename oder Passwort ist falsch."));
    assert!(html.contains("aria-describedby=\"anmelden-fehler\""));
    assert!(html.contains("value=\"p.schmidt\""), "the login is kept");
    assert!(!html.contains("site-nav"), "no navigation before sign-in");

    let throttled = render_sign_in(&SignInPage {
        csrf: CSRF.to_owned(),
        login: String::new(),
        notice: Some(SignInNotice::Throttled { seconds: 8 }),
    })
    .expect("the page renders");
    assert!(throttled.contains("Zu viele Versuche. Bitte in 8 Sekunden erneut versuchen."));

    let setup = render_setup(&SetupPage {
        csrf: CSRF.to_owned(),
        token: "tok".to_owned(),
        login: "a.demir".to_owned(),
        display_name: "Ayşe Demir".to_owned(),
        valid_until: "09.12.2026, 17:45".to_owned(),
        problem: None,
    })
    .expect("the page renders");
    assert!(setup.contains("action=\"/admin/einrichten/tok\""));
    assert!(setup.contains("mindestens 12 und höchstens 128 Zeichen"), "the rules are shown");
    assert_eq!(count(&setup, "type=\"password\""), 2, "the password twice");
}

#[test]
fn qr_codes_are_inline_svg_with_fill_attributes() {
    let svg =
        qr::svg("formdesk-enrol:https://portal.krz.de#K7QF-M2XD-9TPA", "Code \"K7QF\" <x>").expect("the text fits");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\" aria-label=\"Code &quot;K7QF&quot; &lt;x&gt;\""));
    assert!(!svg.contains("style"));
    assert!(svg.contains("fill=\"#000000\""));
    // 51 bytes at level M need version 4: 33 modules and 4 of quiet zone on each side.
    assert!(svg.contains("viewBox=\"0 0 41 41\""));
    assert!(count(&svg, "<rect") > 50);
    let long = "x".repeat(4000);
    assert!(qr::svg(&long, "zu lang").is_err(), "a text too long is an error, not a panic");

    let enrolled = render_device_enrolled(&device_admin(), &enrolled_page("Platz 2")).expect("the page renders");
    assert!(enrolled.contains("<p class=\"code\" aria-labelledby=\"code-titel\">K7QF-M2XD-9TPA</p>"));
    assert!(enrolled.contains("Gültig bis <strong>06.12.2026, 19:30</strong>"));
    assert_eq!(count(&enrolled, "<svg"), 1);
    let totp = render_account(&form_editor(), &account_page(setting_up())).expect("the page renders");
    assert_eq!(count(&totp, "<svg"), 1, "the TOTP setup shows its QR code");
    assert!(totp.contains("JBSW Y3DP EHPK 3PXP"), "and the secret as text");
    assert!(totp.contains("name=\"code\""), "and a field for the first code");
}

#[test]
fn account_creation_offers_every_role_by_its_stored_name() {
    let html = render_accounts(&operator(), &accounts_page()).expect("the page renders");
    for role in Role::ALL {
        assert!(
            html.contains(&format!("name=\"rolle\" type=\"checkbox\" value=\"{}\"", role.db_name())),
            "a checkbox for {}",
            role.label()
        );
    }
    assert!(html.contains("<legend>Aufgaben"), "the checkboxes are grouped with a legend");
    assert!(html.contains("https://portal.krz.de/admin/einrichten/Zk3v0T9qLr2m8WcY1xHnB5aPsD7fGjEu"));
    assert!(html.contains("Konto „a.demir“ angelegt"));
}

#[test]
fn an_error_marks_the_field_it_is_about() {
    let mut page = destinations_page();
    page.problem = Some(DestinationProblem::KeyUnreadable);
    let html = render_destinations(&form_editor(), &page).expect("the page renders");
    let tag_of = |html: &str, id: &str| -> String {
        let start = html.find(&format!("id=\"{id}\"")).expect("the field exists");
        let open = html[..start].rfind('<').expect("inside a tag");
        html[open..start + html[start..].find('>').expect("the tag ends")].to_owned()
    };
    assert!(tag_of(&html, "ziel-schluessel").contains("aria-invalid=\"true\""));
    assert!(tag_of(&html, "ziel-schluessel").contains("ziel-fehler"));
    assert!(!tag_of(&html, "ziel-kennung").contains("aria-invalid"));

    page.problem = Some(DestinationProblem::IdTaken);
    let html = render_destinations(&form_editor(), &page).expect("the page renders");
    assert!(tag_of(&html, "ziel-kennung").contains("aria-invalid=\"true\""));
    assert!(!tag_of(&html, "ziel-schluessel").contains("aria-invalid"));
    assert!(html.contains("Diese Kennung ist schon vergeben."));

    let mut tenants = tenants_page();
    tenants.problem = Some(TenantProblem::NameMissing);
    let html = render_tenants(&operator(), &tenants).expect("the page renders");
    assert!(tag_of(&html, "mandant-name").contains("aria-invalid=\"true\""));
    assert!(!tag_of(&html, "mandant-ars").contains("aria-invalid"));

    let mut accounts = accounts_page();
    accounts.problem = Some(AccountProblem::NoRole);
    let html = render_accounts(&operator(), &accounts).expect("the page renders");
    assert!(html.contains("<fieldset class=\"field\" aria-describedby=\"konto-fehler\">"));
    assert!(!tag_of(&html, "konto-login").contains("aria-invalid"));
}

#[test]
fn the_log_pages_keep_the_filter() {
    let mut page = audit_page();
    page.selected_kind = Some("geraet-gesperrt".to_owned());
    page.verification = Some(Verification::Broken { at_seq: 1017 });
    let html = render_audit(&all_tenant_roles(), &page).expect("the page renders");
    assert!(html.contains("<option value=\"geraet-gesperrt\" selected>Gerät gesperrt</option>"));
    assert!(html.contains("href=\"/admin/protokoll?seite=1&#38;art=geraet-gesperrt\" rel=\"prev\">Neuere Einträge"));
    assert!(html.contains("href=\"/admin/protokoll?seite=3&#38;art=geraet-gesperrt\" rel=\"next\">Ältere Einträge"));
    assert!(html.contains("Ab Eintrag 1017 passt die Kette nicht mehr."));
    assert!(
        html.contains("<code class=\"hash\">c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a</code>")
    );
    let first = html.find("<td>06.12.2026, 17:41:07</td>").expect("the newest entry");
    let later = html.find("<td>06.12.2026, 17:34:07</td>").expect("an older entry");
    assert!(first < later, "newest first");

    page.selected_kind = Some("a b&c".to_owned());
    let html = render_audit(&all_tenant_roles(), &page).expect("the page renders");
    assert!(html.contains("seite=3&#38;art=a%20b%26c\""), "the filter value is percent-encoded");
}

#[test]
fn the_devices_page_shows_each_desks_app_version() {
    let page = render_devices(&device_admin(), &devices_page("Platz 2")).expect("the page renders");
    assert!(page.contains("<th scope=\"col\">App-Version</th>"), "{page}");
    assert!(page.contains("<td>0.0.2</td>") && page.contains("<td>0.0.1</td>"), "{page}");
    // A desk that never reported one shows a dash in that column, as in the form set's.
    let no_version = DevicesPage { devices: devices_page("Platz 2").devices.into_iter().skip(2).take(1).collect() };
    let page = render_devices(&device_admin(), &no_version).expect("the page renders");
    assert_eq!(count(&page, "<td>–</td>"), 2, "{page}");
}
