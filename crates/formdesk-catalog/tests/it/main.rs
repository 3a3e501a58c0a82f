//! Reading form folders from disk and from the embedded copy.

use formdesk_catalog::scenario::run_dir;
use formdesk_catalog::{Catalog, CatalogError, check_dir, load_form};
use std::path::{Path, PathBuf};

fn forms() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")
}

#[test]
fn the_embedded_forms_are_the_repository_forms() {
    let embedded = Catalog::embedded().expect("embedded forms load");
    let disk = Catalog::load_dir(&forms()).expect("forms load");
    let ids = |c: &Catalog| {
        c.entries().iter().map(|e| (e.form.id().to_owned(), e.form.version().to_owned())).collect::<Vec<_>>()
    };
    assert_eq!(ids(&embedded), ids(&disk));
    assert!(embedded.entries().iter().all(|e| e.file.is_none()));
    assert!(disk.entries().iter().all(|e| e.file.as_ref().is_some_and(|f| f.ends_with("form.json"))));
    assert!(embedded.get("wohnberechtigungsschein").is_some());
    assert!(embedded.get("gibtsnicht").is_none());
}

#[test]
fn a_form_loads_from_its_folder_or_its_file() {
    let by_dir = load_form(&forms().join("hundeanmeldung")).expect("folder");
    let by_file = load_form(&forms().join("hundeanmeldung/form.json")).expect("file");
    assert_eq!(by_dir.id(), by_file.id());
}

#[test]
fn a_missing_folder_names_the_path() {
    let err = check_dir(Path::new("/nonexistent/forms")).expect_err("missing");
    assert!(matches!(err, CatalogError::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/forms"), "{err}");
    let err = load_form(Path::new("/nonexistent/form.json")).expect_err("missing");
    assert!(err.to_string().contains("/nonexistent/form.json"), "{err}");
}

#[test]
fn a_form_whose_id_differs_from_its_folder_is_refused() {
    let tmp = std::env::temp_dir().join(format!("formdesk-catalog-{}", std::process::id()));
    let dir = tmp.join("andere");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(forms().join("hundeabmeldung/form.json"), dir.join("form.json")).expect("copy");
    std::fs::create_dir_all(tmp.join("codelists")).expect("mkdir");
    for list in std::fs::read_dir(forms().join("codelists")).expect("codelists") {
        let list = list.expect("entry").path();
        if list.is_dir() {
            continue;
        }
        std::fs::copy(&list, tmp.join("codelists").join(list.file_name().expect("name"))).expect("copy");
    }
    let report = check_dir(&tmp).expect("readable");
    std::fs::remove_dir_all(&tmp).expect("cleanup");
    assert!(report.forms.is_empty());
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].path, "$.id");
    assert!(report.errors[0].message.contains("must equal the folder name 'andere'"));
}

fn top3(catalog: &Catalog, query: &str) -> Vec<String> {
    catalog.search(query).iter().take(3).map(|h| catalog.entries()[h.index].form.id().to_owned()).collect()
}

#[test]
fn search_finds_forms_the_way_citizens_name_them() {
    let catalog = Catalog::embedded().expect("embedded forms load");
    let cases = [
        ("Hund", "hundeanmeldung"),
        ("Hund", "hundeabmeldung"),
        ("Baum fällen", "baumfaellgenehmigung"),
        ("Parkausweis", "bewohnerparkausweis"),
        ("Geburtsurkunde", "personenstandsurkunde"),
        ("WBS", "wohnberechtigungsschein"),
        ("Hundeanmeldung", "hundeanmeldung"),
        ("hunde anmelden", "hundeanmeldung"),
        ("Baumfaellung", "baumfaellgenehmigung"),
        ("Baumfällung", "baumfaellgenehmigung"),
        // Typos and a few keystrokes.
        ("Hnud", "hundeanmeldung"),
        ("Parkauswies", "bewohnerparkausweis"),
        ("Geburtsurkunden", "personenstandsurkunde"),
        ("Sozialwohnung", "wohnberechtigungsschein"),
        ("Hu", "hundeanmeldung"),
        ("Bau", "baumfaellgenehmigung"),
        ("Park", "bewohnerparkausweis"),
        ("Sterbe", "personenstandsurkunde"),
        ("Hund abmelden", "hundeabmeldung"),
    ];
    let mut misses = Vec::new();
    for (query, form) in cases {
        let found = top3(&catalog, query);
        if !found.iter().any(|f| f == form) {
            misses.push(format!("{query:?} -> {found:?}, expected {form}"));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
    assert_eq!(top3(&catalog, "Hund anmelden").first().map(String::as_str), Some("hundeanmeldung"));
    assert_eq!(top3(&catalog, "Hund abmelden").first().map(String::as_str), Some("hundeabmeldung"));
    let dog: Vec<String> =
        catalog.search("Hund").iter().map(|h| catalog.entries()[h.index].form.id().to_owned()).collect();
    assert_eq!(dog.len(), 2, "only the two dog forms for 'Hund': {dog:?}");
    assert!(catalog.search("").is_empty());
    assert!(catalog.search("Xylophon").is_empty(), "{:?}", top3(&catalog, "Xylophon"));
}

#[test]
fn forms_given_as_texts_load_like_the_folder() {
    let files = formdesk_catalog::FormFiles::embedded();
    assert!(files.code_lists.iter().any(|(name, _)| name == "hunderassen.json"));
    let catalog = Catalog::from_files(files.code_lists.clone(), files.forms.clone()).expect("the texts load");
    let disk = Catalog::load_dir(&forms()).expect("forms load");
    let ids = |c: &Catalog| c.entries().iter().map(|e| (e.form.id().to_owned(), e.sha256.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&catalog), ids(&disk), "same forms, same hashes");
    // The hash is of the definition as the desk gets it: the form's file with its translation files merged in.
    let text = &files.forms.iter().find(|(id, _)| id == "hundeanmeldung").expect("there").1;
    assert_eq!(catalog.entry("hundeanmeldung").expect("there").sha256, formdesk_catalog::sha256_hex(text.as_bytes()));
    assert!(text.contains("\"uk\": ") && text.contains("\"de-x-ls\": "), "translations merged in");
    assert!(catalog.entries().iter().all(|e| e.file.is_none()));
}

#[test]
fn the_desk_offers_a_language_only_where_the_form_covers_it_completely() {
    let catalog = Catalog::embedded().expect("embedded");
    let offered = |id: &str| catalog.get(id).expect("form").citizen_languages();
    assert_eq!(offered("hundeanmeldung"), ["de", "de-x-ls", "en", "uk", "ar", "ru", "tr"]);
    assert_eq!(offered("wohnberechtigungsschein"), ["de", "de-x-ls", "en", "uk", "ar", "ru", "tr"]);
    for entry in catalog.entries() {
        let form = &entry.form;
        for lang in ["de", "en", "uk", "ar", "ru", "tr"] {
            assert!(form.citizen_languages().iter().any(|l| l == lang), "{} lacks {lang}", form.id());
            assert_eq!(form.coverage().percent(lang), 100, "{} {lang}", form.id());
        }
    }
    // The Hundeabmeldung shares the breeds, which have Leichte Sprache, but its own texts do not.
    let abmeldung = catalog.get("hundeabmeldung").expect("form");
    assert!(!abmeldung.citizen_languages().iter().any(|l| l == "de-x-ls"));
    assert!(abmeldung.coverage().percent("de-x-ls") > 0);
    assert!(abmeldung.coverage().missing["de-x-ls"].contains(&"steps.halter.title".to_owned()));
}

#[test]
fn translation_files_that_do_not_fit_are_errors_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_tree(&forms(), tmp.path());
    let uk = tmp.path().join("hundeanmeldung/translations/uk.xlf");
    let text = std::fs::read_to_string(&uk).expect("uk");
    // Arabic under the name of Ukrainian, a broken file, and the breeds' file under the form's folder.
    std::fs::write(
        tmp.path().join("hundeanmeldung/translations/fa.xlf"),
        text.replace("trgLang=\"uk\"", "trgLang=\"ar\""),
    )
    .expect("write");
    std::fs::write(tmp.path().join("hundeabmeldung/translations/uk.xlf"), "<xliff").expect("write");
    std::fs::copy(
        tmp.path().join("codelists/translations/hunderassen.uk.xlf"),
        tmp.path().join("sondernutzung/translations/uk.xlf"),
    )
    .expect("copy");
    let report = check_dir(tmp.path()).expect("readable");
    let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    let has = |file: &str, text: &str| messages.iter().any(|m| m.contains(file) && m.contains(text));
    assert!(has("hundeanmeldung/translations/fa.xlf", "target language is 'ar', its name says 'fa'"), "{messages:#?}");
    assert!(has("hundeabmeldung/translations/uk.xlf", "kein lesbares XML"), "{messages:#?}");
    assert!(has("sondernutzung/translations/uk.xlf", "translations of form 'sondernutzung' only"), "{messages:#?}");
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(formdesk_catalog::FormFiles::read_dir(tmp.path()).is_err(), "nothing to publish from such a folder");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn forms_given_as_texts_are_checked_like_the_folder() {
    let files = formdesk_catalog::FormFiles::embedded();
    let text = files.forms.iter().find(|(id, _)| id == "hundeabmeldung").expect("there").1.clone();
    let err = Catalog::from_files(files.code_lists.clone(), vec![("andere".into(), text.clone())]).expect_err("id");
    assert!(err.to_string().contains("andere/form.json: $.id: the id 'hundeabmeldung' must equal"), "{err}");
    let broken = text.replacen("\"steps\"", "\"stepz\"", 1);
    let err = Catalog::from_files(files.code_lists, vec![("hundeabmeldung".into(), broken)]).expect_err("broken");
    assert!(matches!(err, CatalogError::Invalid(ref e) if !e.is_empty()), "{err}");
    let err = Catalog::from_files(Vec::new(), files.forms).expect_err("no code lists");
    assert!(err.to_string().contains("hunderassen") || err.to_string().contains("code list"), "{err}");
}

/// A temporary forms folder with the repository's shared code lists and one form `id` with `definition`.
fn folder_with(name: &str, id: &str, definition: &serde_json::Value) -> PathBuf {
    let tmp = std::env::temp_dir().join(format!("formdesk-catalog-{name}-{}", std::process::id()));
    let dir = tmp.join(id);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("form.json"), definition.to_string()).expect("write");
    std::fs::create_dir_all(tmp.join("codelists")).expect("mkdir");
    for list in std::fs::read_dir(forms().join("codelists")).expect("codelists") {
        let list = list.expect("entry").path();
        if list.is_dir() {
            continue;
        }
        std::fs::copy(&list, tmp.join("codelists").join(list.file_name().expect("name"))).expect("copy");
    }
    tmp
}

#[test]
fn schema_errors_do_not_hide_expression_errors() {
    let text = std::fs::read_to_string(forms().join("hundeabmeldung/form.json")).expect("read");
    let mut def: serde_json::Value = serde_json::from_str(&text).expect("json");
    // A schema error the types cannot read past: an unknown property.
    def["steps"][0]["items"][0]["farbe"] = "rot".into();
    // Expression errors in the same file: a misspelt name, a syntax error, an unknown function.
    def["steps"][0]["items"][1]["relevant"] = "halter_vornam == 'Anna'".into();
    def["steps"][1]["relevant"] = "1 +".into();
    def["steps"][0]["items"][0]["required"] = "laenge(halter_vorname) > 0".into();
    let tmp = folder_with("mixed", "hundeabmeldung", &def);
    let report = check_dir(&tmp).expect("readable");
    std::fs::remove_dir_all(&tmp).expect("cleanup");
    let has = |path: &str, text: &str| report.errors.iter().any(|e| e.path == path && e.message.contains(text));
    assert!(has("$.steps[0].items[0]", "farbe"), "{:#?}", report.errors);
    assert!(has("$.steps[0].items[1].relevant", "unknown name 'halter_vornam'"), "{:#?}", report.errors);
    assert!(has("$.steps[1].relevant", "at character"), "{:#?}", report.errors);
    assert!(has("$.steps[0].items[0].required", "unknown function 'laenge'"), "{:#?}", report.errors);
    assert_eq!(report.errors.len(), 4, "nothing else is wrong: {:#?}", report.errors);
}

#[test]
fn check_reports_fees_that_can_lose_their_value_as_warnings() {
    let text = std::fs::read_to_string(forms().join("personenstandsurkunde/form.json")).expect("read");
    let mut def: serde_json::Value = serde_json::from_str(&text).expect("json");
    let fees = def["fees"].as_array_mut().expect("fees");
    fees.push(serde_json::json!({"id": "express", "label": {"de": "Eilzuschlag", "en": "Express"},
        "amount": "5.00 * decimal(size(registernummer))"}));
    let tmp = folder_with("warnings", "personenstandsurkunde", &def);
    let report = check_dir(&tmp).expect("readable");
    std::fs::remove_dir_all(&tmp).expect("cleanup");
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.forms.len(), 1, "a warning does not refuse the form");
    assert_eq!(report.warnings.len(), 2, "{:#?}", report.warnings);
    let none = &report.warnings[1];
    assert!(none.file.ends_with("personenstandsurkunde/scenarios"), "{none}");
    assert!(none.message.contains("no scenarios"), "{none}");
    let w = &report.warnings[0];
    assert!(w.file.ends_with("personenstandsurkunde/form.json"));
    assert_eq!(w.path, format!("$.fees[{}].amount", fees_len(&def) - 1));
    assert!(w.message.contains("'registernummer'"), "{}", w.message);
}

fn fees_len(def: &serde_json::Value) -> usize {
    def["fees"].as_array().map_or(0, Vec::len)
}

#[test]
fn scenarios_check_absent_fees_and_values_and_required_flags() {
    let text = std::fs::read_to_string(forms().join("personenstandsurkunde/form.json")).expect("read");
    let def: serde_json::Value = serde_json::from_str(&text).expect("json");
    let tmp = folder_with("scenarios", "personenstandsurkunde", &def);
    let scenarios = tmp.join("personenstandsurkunde/scenarios");
    std::fs::create_dir_all(&scenarios).expect("mkdir");
    let empty = serde_json::json!({"description": "leer", "date": "2026-11-24", "answers": {}, "expect": {
        "absentFees": ["urkundengebuehr"], "absentValues": ["gebuehr"],
        "required": ["urkundenart"], "optional": ["registernummer"]}});
    std::fs::write(scenarios.join("01_ok.json"), empty.to_string()).expect("write");
    let wrong = serde_json::json!({"description": "falsch", "date": "2026-11-24", "answers": {"anzahl": 2}, "expect": {
        "absentFees": ["urkundengebuehr", "gibtsnicht"], "absentValues": ["gebuehr"],
        "required": ["registernummer"], "optional": ["urkundenart", "nirgends"]}});
    std::fs::write(scenarios.join("02_falsch.json"), wrong.to_string()).expect("write");
    std::fs::write(scenarios.join("03_kaputt.json"), "{").expect("write");
    let by_form = run_dir(&tmp.join("personenstandsurkunde")).expect("loads");
    let by_folder = run_dir(&tmp).expect("loads");
    std::fs::remove_dir_all(&tmp).expect("cleanup");
    assert_eq!(by_form, by_folder, "a form folder and a folder of forms run alike");
    let names: Vec<&str> = by_form.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["01_ok", "02_falsch", "03_kaputt"]);
    assert!(by_form[0].passed(), "{:?}", by_form[0].problems);
    let problems = &by_form[1].problems;
    let has = |text: &str| problems.iter().any(|p| p.contains(text));
    assert!(has("fee urkundengebuehr: expected it not to apply, but it is charged with 18.00"), "{problems:#?}");
    assert!(has("fee gibtsnicht: the form has no fee with this id"), "{problems:#?}");
    assert!(has("value gebuehr: expected none, got \"18.00\""), "{problems:#?}");
    assert!(has("registernummer: expected required, but required is false"), "{problems:#?}");
    assert!(has("urkundenart: expected optional, but required is true"), "{problems:#?}");
    assert!(has("nirgends: no item at this path"), "{problems:#?}");
    assert_eq!(problems.len(), 6, "{problems:#?}");
    assert!(by_form[2].problems[0].contains("not valid JSON"), "{:?}", by_form[2].problems);
}
