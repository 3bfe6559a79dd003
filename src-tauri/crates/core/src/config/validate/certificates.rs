//! Certificate and key files: each must be a file inside the data directory, and the CA lists name
//! each certificate once.

use crate::config::model::{
    CertificateKeyPair, CertificateSettings, ServerCertificate, StoredCertificate,
};

use super::ids::FirstSeen;
use super::Report;

pub(super) fn check_certificates(settings: &CertificateSettings, report: &mut Report) {
    if let ServerCertificate::Imported(pair) = &settings.server {
        check_key_pair("certificates.server", pair, report);
    }
    check_stored_certificates("certificates.client_ca", &settings.client_ca, report);
    check_stored_certificates("certificates.backend_ca", &settings.backend_ca, report);
    if let Some(pair) = &settings.client {
        check_key_pair("certificates.client", pair, report);
    }
}

fn check_key_pair(prefix: &str, pair: &CertificateKeyPair, report: &mut Report) {
    check_data_file(
        &format!("{prefix}.certificate_file"),
        &pair.certificate_file,
        report,
    );
    check_data_file(&format!("{prefix}.key_file"), &pair.key_file, report);
}

fn check_stored_certificates(prefix: &str, list: &[StoredCertificate], report: &mut Report) {
    let mut first_with_name = FirstSeen::new();
    for (index, certificate) in list.iter().enumerate() {
        let name_field = format!("{prefix}[{index}].name");
        let name = certificate.name.trim();
        if name.is_empty() {
            report.add(name_field, "must not be empty");
        } else if let Some(first) = first_with_name.earlier(name, index) {
            report.add(
                name_field,
                format!("\"{name}\" is already the name of {prefix}[{first}]"),
            );
        }
        check_data_file(
            &format!("{prefix}[{index}].file"),
            &certificate.file,
            report,
        );
    }
}

/// Certificate files live in the data directory; a path leaving it would make the config point at
/// files Ampwise does not manage (and could not move with the installation).
fn check_data_file(field: &str, file: &str, report: &mut Report) {
    if let Some(reason) = data_file_problem(file) {
        report.add(field, reason);
    }
}

fn data_file_problem(file: &str) -> Option<String> {
    if file.trim().is_empty() {
        return Some("must name a file in the data directory".to_owned());
    }
    if file.chars().any(char::is_control) {
        return Some("contains a control character".to_owned());
    }
    // Checked for both separators so a config written on one OS is judged the same on the other.
    let has_drive = file.as_bytes().get(1) == Some(&b':')
        && file.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if file.starts_with('/')
        || file.starts_with('\\')
        || has_drive
        || std::path::Path::new(file).is_absolute()
    {
        return Some(format!(
            "\"{file}\" is absolute; give a path relative to the data directory"
        ));
    }
    let components: Vec<&str> = file.split(['/', '\\']).collect();
    if components.contains(&"..") {
        return Some(format!(
            "\"{file}\" contains a \"..\" component; the file must be inside the data directory"
        ));
    }
    if components
        .last()
        .is_some_and(|last| last.is_empty() || *last == ".")
    {
        return Some(format!("\"{file}\" names a directory, not a file"));
    }
    None
}
