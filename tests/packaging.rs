//! The Debian package's parts: the installed config is valid and keeps its state where the
//! service allows, and every file the package lists exists.

use std::path::Path;

use crate::support;

#[test]
fn the_packaged_config_is_valid_with_state_under_var() {
    let path = support::repo_root().join("packaging/kiosk-config.toml");
    let config = motcua_kiosk::config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    for (what, dir) in [
        ("data_dir", config.kiosk.data_dir.as_path()),
        ("catalog database", config.catalog.database.as_path()),
        ("log dir", config.log.dir.as_path()),
    ] {
        assert!(dir.is_absolute(), "{what} {} is relative", dir.display());
        assert!(
            dir.starts_with("/var/lib/motcua-kiosk") || dir.starts_with("/var/log/motcua-kiosk"),
            "{what} {} is outside the service's folders",
            dir.display()
        );
    }
    // Same keys as the config in the repository: only the paths differ.
    let keys = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains(" = "))
            .map(|l| l.split(" = ").next().unwrap_or_default().trim().to_string())
            .collect()
    };
    let shipped = support::shipped_config_text();
    let packaged = std::fs::read_to_string(&path).unwrap();
    assert_eq!(keys(&packaged), keys(&shipped));
}

#[test]
fn every_file_the_package_lists_exists_and_units_notify() {
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(support::repo_root().join("Cargo.toml")).unwrap())
            .unwrap();
    let deb = &manifest["package"]["metadata"]["deb"];
    let assets = deb["assets"].as_array().expect("assets");
    assert!(assets.len() >= 7);
    for asset in assets {
        let source = asset[0].as_str().unwrap();
        if source.starts_with("target/") {
            continue;
        }
        assert!(
            support::repo_root().join(source).is_file(),
            "{source} is missing"
        );
    }
    for script in ["postinst", "prerm", "postrm"] {
        let text =
            std::fs::read_to_string(support::repo_root().join("packaging").join(script)).unwrap();
        assert!(text.starts_with("#!/bin/sh\n"), "{script}");
        assert!(text.contains("set -e"), "{script}");
    }
    for unit in ["motcua-kiosk.service", "motcua-kiosk-kms.service"] {
        let text = std::fs::read_to_string(
            Path::new(&support::repo_root())
                .join("packaging")
                .join(unit),
        )
        .unwrap();
        for line in [
            "Type=notify",
            "WatchdogSec=",
            "Restart=always",
            "User=motcua-kiosk",
            "StateDirectory=motcua-kiosk",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(line)),
                "{unit} lacks {line}"
            );
        }
        assert!(
            text.contains("--config /etc/motcua-kiosk/kiosk-config.toml"),
            "{unit}"
        );
    }
}
