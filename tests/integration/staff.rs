//! Staff accounts: a token is printed once, only its secret's SHA-256 is kept (in a file its
//! owner alone can read), it opens its account and no other, and revoking closes it.

use std::os::unix::fs::PermissionsExt;

use crate::util::Project;

/// The token of `staff add`'s output.
fn token_of(out: &str) -> String {
    out.lines().find_map(|l| l.split("privately): ").nth(1)).unwrap().trim().to_owned()
}

#[test]
fn tokens_are_shown_once_kept_as_hashes_and_revoked() {
    let p = Project::fixture("show");
    let out = p.ok(&["staff", "add", "Camille Martin", "--email", "camille@example.org", "--role", "editor"]);
    let camille = token_of(&out);
    let (id, secret) = camille.split_once('.').unwrap();
    assert_eq!((id.len(), secret.len()), (12, 64), "an id and 256 random bits, in hex: {camille}");
    let yann = token_of(&p.ok(&["staff", "add", "Yann", "--email", "yann@example.org", "--role", "author"]));
    assert_ne!(camille, yann);

    let file = p.file(".veillee/staff.toml");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let stored = p.read(".veillee/staff.toml");
    assert!(!stored.contains(secret), "the secret is never stored");
    let list = p.ok(&["staff", "list"]);
    assert!(
        list.contains("Camille Martin <camille@example.org>  editor")
            && list.contains("Yann <yann@example.org>  author"),
        "{list}"
    );
    assert!(!list.contains(secret));

    let project = p.project();
    let who = |token: &str| project.staff_authenticate(token).map(|m| (m.name, m.role.to_string()));
    assert_eq!(who(&camille), Some(("Camille Martin".to_owned(), "editor".to_owned())));
    assert_eq!(who(&yann), Some(("Yann".to_owned(), "author".to_owned())));
    // Another secret with Camille's id, Yann's secret with Camille's id, half a token, nothing.
    let mut wrong = camille.clone();
    wrong.replace_range(wrong.len() - 1.., if camille.ends_with('0') { "1" } else { "0" });
    let swapped = format!("{id}.{}", yann.split_once('.').unwrap().1);
    for bad in [wrong.as_str(), swapped.as_str(), id, "", "."] {
        assert_eq!(who(bad), None, "{bad:?}");
    }

    assert!(p.ok(&["staff", "revoke", "Camille Martin"]).starts_with("revoked Camille Martin"));
    assert_eq!(who(&camille), None, "a revoked token opens nothing");
    assert!(who(&yann).is_some());
}

#[test]
fn bad_staff_commands_say_what_to_do() {
    let p = Project::fixture("show");
    p.ok(&["staff", "add", "Camille", "--email", "camille@example.org", "--role", "author"]);
    let errors = [
        p.fails(&["staff", "add", "camille", "--email", "c@example.org", "--role", "editor"]),
        p.fails(&["staff", "add", "Yann", "--email", "yann", "--role", "editor"]),
        p.fails(&["staff", "revoke", "Camile"]),
    ];
    insta::assert_snapshot!(errors.join(""), @r"
    error: a staff member is already named `camille`: choose another name, or `veillee staff revoke camille` first
    error: invalid email `yann`: an address like camille@example.org
    error: no staff member is named `Camile` (did you mean `Camille`?)
    ");
    p.write(".veillee/staff.toml", "[[staff]]\nnom = \"x\"\n");
    let err = p.fails(&["staff", "list"]);
    assert!(err.starts_with("error: ") && err.contains(".veillee/staff.toml") && err.contains("nom"), "{err}");
}
