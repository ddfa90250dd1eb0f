//! Plain text lines for slips printed as printer text (checklists, dossier slips): word wrap to
//! the paper's columns.

/// Word-wraps `text` into `out`; continuation lines start with `indent`. Words longer than a line
/// are cut.
pub fn push_wrapped(out: &mut Vec<String>, text: &str, columns: usize, indent: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let len = line.chars().count();
            let needed = if len == 0 {
                word.chars().count()
            } else {
                len + 1 + word.chars().count()
            };
            if needed <= columns {
                if len > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if len > indent.chars().count() {
                out.push(std::mem::take(&mut line));
                line.push_str(indent);
                continue;
            }
            // A word longer than the line: cut it.
            let room = columns.saturating_sub(len + usize::from(len > 0)).max(1);
            let head: String = word.chars().take(room).collect();
            let tail: String = word.chars().skip(room).collect();
            if len > 0 {
                line.push(' ');
            }
            line.push_str(&head);
            out.push(std::mem::take(&mut line));
            line.push_str(indent);
            word = tail;
            if word.is_empty() {
                break;
            }
        }
    }
    if line.trim().chars().count() > 0 {
        out.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_to_the_paper_and_keeps_every_word() {
        let mut out = Vec::new();
        let text = "Giấy tờ có giá trị chứng minh thông tin về cư trú trong trường hợp cơ quan đăng ký hộ tịch";
        push_wrapped(&mut out, text, 32, "    ");
        assert!(out.iter().all(|l| l.chars().count() <= 32), "{out:?}");
        let joined: Vec<&str> = out.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn cuts_words_longer_than_a_line() {
        let mut out = Vec::new();
        push_wrapped(&mut out, &"x".repeat(70), 32, "");
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|l| l.chars().count() <= 32));
    }
}
