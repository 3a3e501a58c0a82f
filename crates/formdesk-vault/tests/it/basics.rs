use formdesk_vault::{KdfParams, Status, Vault, VaultError};

#[test]
fn placeholder_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    let _ = vault.initialize("Anna", "123456", KdfParams::FAST_INSECURE).unwrap();
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika", b"{}").unwrap();
    assert_eq!(vault.load(id).unwrap().item.status, Status::Draft);
    assert!(matches!(vault.unlock("Bob", "123456"), Err(VaultError::UnknownClerk(_))));
}
