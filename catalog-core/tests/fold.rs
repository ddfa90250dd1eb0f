//! Vietnamese folding: one normal form for the index and the queries.

use motcua_catalog::{fold, initials, local_code};

#[test]
fn folding_table() {
    let table: &[(&str, &str)] = &[
        ("đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("Đăng Ký", "dang ky"),
        ("đ", "d"),
        ("Đ", "d"),
        ("Ð", "d"), // U+00D0, used for Đ by some legacy files
        ("ư ơ ă â ê ô", "u o a a e o"),
        ("Ư Ơ Ă Â Ê Ô", "u o a a e o"),
        ("người", "nguoi"),
        ("Người", "nguoi"),
        ("ưỡng", "uong"),
        ("hộ tịch", "ho tich"),
        ("chứng thực", "chung thuc"),
        ("quyền sử dụng đất", "quyen su dung dat"),
        ("giấy chứng nhận", "giay chung nhan"),
        ("thủ tục hành chính", "thu tuc hanh chinh"),
        ("kết hôn", "ket hon"),
        ("khai tử", "khai tu"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("ỷ ỹ ỵ ý ỳ", "y y y y y"),
        ("à á ả ã ạ", "a a a a a"),
        ("ằ ắ ẳ ẵ ặ", "a a a a a"),
        ("ầ ấ ẩ ẫ ậ", "a a a a a"),
        ("ề ế ể ễ ệ", "e e e e e"),
        ("ồ ố ổ ỗ ộ", "o o o o o"),
        ("ờ ớ ở ỡ ợ", "o o o o o"),
        ("ừ ứ ử ữ ự", "u u u u u"),
        // Decomposed input (base letter + combining marks) folds like precomposed.
        ("d\u{0323}a\u{0306}ng ky\u{0301}", "dang ky"),
        ("Vie\u{0302}\u{0323}t Nam", "viet nam"),
        ("\u{0110}a\u{0300} Na\u{0306}\u{0303}ng", "da nang"),
        // Separators and punctuation collapse into single spaces.
        ("  khai   sinh  ", "khai sinh"),
        ("khai\tsinh\n", "khai sinh"),
        ("cha, mẹ, con", "cha me con"),
        ("104/2022/NĐ-CP", "104 2022 nd cp"),
        ("2.000528", "2 000528"),
        ("(nếu có)", "neu co"),
        ("cấp III, cấp IV", "cap iii cap iv"),
        ("\"khai\" * NEAR AND", "khai near and"),
        ("🙂 khai 🎉 sinh", "khai sinh"),
        ("", ""),
        ("   ", ""),
        ("\u{0301}\u{0300}", ""),
        ("a\0b", "a b"),
        ("DK KHAI SINH", "dk khai sinh"),
        ("10m3/ngày đêm", "10m3 ngay dem"),
    ];
    assert!(table.len() >= 30);
    for (input, expected) in table {
        assert_eq!(fold(input), *expected, "fold({input:?})");
    }
}

#[test]
fn local_codes_match_the_servers_derivation() {
    // The same FNV-1a as motcua-central: `local-` + 16 hex digits of the trimmed name.
    let code = local_code("  Xét tuyển sinh vào trường PTDTNT ");
    assert_eq!(code, local_code("Xét tuyển sinh vào trường PTDTNT"));
    assert!(code.starts_with("local-") && code.len() == 22, "{code}");
}

#[test]
fn initials_of_every_run_of_two_to_four_words() {
    assert_eq!(
        initials("dang ky khai sinh"),
        ["dk", "kk", "ks", "dkk", "kks", "dkks"]
    );
    assert_eq!(initials("khai"), Vec::<String>::new());
    assert_eq!(initials(""), Vec::<String>::new());
}
