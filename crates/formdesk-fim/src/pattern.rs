//! praezisierung `pattern`: a JavaScript regular expression with the semantics of HTML's `pattern` attribute
//! (the whole value must match), translated into the syntax of Rust's `regex` crate.
//!
//! What JavaScript writes differently is rewritten (`\d` and `\w` are ASCII there, `\uXXXX`, `\cX`, `[^]`,
//! a literal `{`, `[` inside a class); what `regex` cannot do at all (look-around, back-references) is
//! refused with the reason, and the importer then drops the pattern and reports it.

/// The pattern in `regex` syntax (to be matched against the whole value), or why it cannot be one.
pub fn translate(js: &str) -> Result<String, String> {
    let chars: Vec<char> = js.chars().collect();
    let mut out = String::with_capacity(js.len() + 8);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else { return Err("der Ausdruck endet mit '\\'".into()) };
                i += 2;
                match e {
                    'd' => out.push_str(if in_class { "0-9" } else { "[0-9]" }),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str(if in_class { "A-Za-z0-9_" } else { "[A-Za-z0-9_]" }),
                    'W' => out.push_str("[^A-Za-z0-9_]"),
                    's' | 'S' | 'f' | 'n' | 'r' | 't' | 'v' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'b' if in_class => out.push_str("\\x08"),
                    'b' | 'B' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'p' | 'P' => {
                        out.push('\\');
                        out.push(e);
                        if chars.get(i) == Some(&'{') {
                            while let Some(&n) = chars.get(i) {
                                out.push(n);
                                i += 1;
                                if n == '}' {
                                    break;
                                }
                            }
                        }
                    }
                    'u' => i = unicode_escape(&chars, i, &mut out)?,
                    'x' => {
                        let hex: String = chars.iter().skip(i).take(2).collect();
                        if hex.len() != 2 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return Err("'\\x' ohne zwei Hexadezimalziffern".into());
                        }
                        out.push_str(&format!("\\x{{{hex}}}"));
                        i += 2;
                    }
                    'c' => {
                        let Some(l) = chars.get(i).filter(|l| l.is_ascii_alphabetic()) else {
                            return Err("'\\c' ohne Buchstaben".into());
                        };
                        out.push_str(&format!("\\x{{{:02X}}}", (*l as u32) % 32));
                        i += 1;
                    }
                    '0' if !chars.get(i).is_some_and(char::is_ascii_digit) => out.push_str("\\x{0}"),
                    '0'..='9' => return Err("Rückverweise (\\1 …) kann der Ausdruck nicht enthalten".into()),
                    'k' => return Err("benannte Rückverweise (\\k<…>) kann der Ausdruck nicht enthalten".into()),
                    e if e.is_ascii_alphanumeric() => return Err(format!("unbekannte Escape-Sequenz '\\{e}'")),
                    e if e.is_ascii() => {
                        out.push('\\');
                        out.push(e);
                    }
                    e => out.push(e),
                }
                continue;
            }
            '[' if in_class => out.push_str("\\["),
            '[' => {
                let negated = chars.get(i + 1) == Some(&'^');
                let next = chars.get(i + if negated { 2 } else { 1 });
                if next == Some(&']') {
                    if negated {
                        out.push_str("(?s:.)");
                        i += 3;
                        continue;
                    }
                    return Err("eine leere Zeichenklasse '[]' passt auf nichts".into());
                }
                in_class = true;
                out.push('[');
                if negated {
                    out.push('^');
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && out.ends_with('-') => out.push_str("\\-"),
            '(' if !in_class => {
                let rest: String = chars.iter().skip(i).take(4).collect();
                if rest.starts_with("(?=")
                    || rest.starts_with("(?!")
                    || rest.starts_with("(?<=")
                    || rest.starts_with("(?<!")
                {
                    return Err("Vorausschau und Rückschau ((?=…), (?!…), (?<=…), (?<!…)) gibt es nicht".into());
                }
                out.push('(');
            }
            '{' if !in_class => {
                let rest: String = chars.iter().skip(i).take_while(|&&c| c != '}').collect();
                let is_quantifier = chars.len() > i + rest.chars().count()
                    && !rest[1..].is_empty()
                    && rest[1..].split(',').count() <= 2
                    && rest[1..]
                        .split(',')
                        .enumerate()
                        .all(|(k, n)| (k == 1 || !n.is_empty()) && n.bytes().all(|b| b.is_ascii_digit()));
                if is_quantifier {
                    out.push_str(&rest);
                    out.push('}');
                    i += rest.chars().count() + 1;
                    continue;
                }
                out.push_str("\\{");
            }
            '}' if !in_class => out.push_str("\\}"),
            c => out.push(c),
        }
        i += 1;
    }
    if in_class {
        return Err("eine Zeichenklasse '[' wird nicht geschlossen".into());
    }
    // Checked as the engine will compile it (anchored at both ends, as HTML does, and size-limited).
    formdesk_engine::expr::whole_match(&out).map_err(|e| format!("kein gültiger Ausdruck: {e}"))?;
    Ok(out)
}

/// `\uXXXX`, a surrogate pair of two, or `\u{X…}` starting at `i` (after the `u`); the index after it.
fn unicode_escape(chars: &[char], i: usize, out: &mut String) -> Result<usize, String> {
    let hex = |from: usize, n: usize| -> Option<u32> {
        let s: String = chars.iter().skip(from).take(n).collect();
        (s.chars().count() == n && s.chars().all(|h| h.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(&s, 16).ok())
            .flatten()
    };
    if chars.get(i) == Some(&'{') {
        let digits: String = chars.iter().skip(i + 1).take_while(|&&c| c != '}').collect();
        let value = u32::from_str_radix(&digits, 16).ok().filter(|_| !digits.is_empty() && digits.len() <= 6);
        let Some(v) = value.filter(|v| char::from_u32(*v).is_some()) else {
            return Err(format!("'\\u{{{digits}}}' ist kein Zeichen"));
        };
        out.push_str(&format!("\\x{{{v:X}}}"));
        return Ok(i + digits.chars().count() + 2);
    }
    let Some(high) = hex(i, 4) else { return Err("'\\u' ohne vier Hexadezimalziffern".into()) };
    if (0xD800..0xDC00).contains(&high)
        && chars.get(i + 4) == Some(&'\\')
        && chars.get(i + 5) == Some(&'u')
        && let Some(low) = hex(i + 6, 4).filter(|l| (0xDC00..0xE000).contains(l))
    {
        let v = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        out.push_str(&format!("\\x{{{v:X}}}"));
        return Ok(i + 10);
    }
    if char::from_u32(high).is_none() {
        return Err(format!("'\\u{high:04X}' ist ein einzelnes Ersatzzeichen (Surrogat)"));
    }
    out.push_str(&format!("\\x{{{high:X}}}"));
    Ok(i + 4)
}
