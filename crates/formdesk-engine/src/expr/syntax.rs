//! Lexer and parser of the expression language: text in, syntax tree out.
//!
//! The grammar is the one in `docs/expressions.md`. Non-goals: types and names; the checker resolves them.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Longest expression accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// A syntax error with the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset into the expression.
    pub at: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

/// A node of the syntax tree with the byte offset it starts at.
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    /// Byte offset into the expression.
    pub at: usize,
    /// The node itself.
    pub kind: AstKind,
}

/// The kinds of syntax nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum AstKind {
    /// `true`, `false`.
    Bool(bool),
    /// `12`.
    Int(i64),
    /// `12.50`.
    Decimal(Decimal),
    /// `"text"`.
    Text(String),
    /// `name`.
    Ident(String),
    /// `operand.field`.
    Select(Box<Ast>, String),
    /// `list[index]`.
    Index(Box<Ast>, Box<Ast>),
    /// `name(args)` or `target.name(args)`.
    Call {
        /// The receiver of a member call.
        target: Option<Box<Ast>>,
        /// The function's name.
        name: String,
        /// The arguments.
        args: Vec<Ast>,
    },
    /// `!x`, `-x`.
    Unary(UnaryOp, Box<Ast>),
    /// `a op b`.
    Binary(BinaryOp, Box<Ast>, Box<Ast>),
    /// `c ? a : b`.
    Conditional(Box<Ast>, Box<Ast>, Box<Ast>),
    /// `[a, b]`.
    List(Vec<Ast>),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!`
    Not,
    /// `-`
    Neg,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `||`
    Or,
    /// `&&`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    Decimal(Decimal),
    Text(String),
    True,
    False,
    In,
    Punct(&'static str),
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("name '{s}'"),
        Tok::Int(i) => format!("number {i}"),
        Tok::Decimal(d) => format!("number {d}"),
        Tok::Text(_) => "a text literal".into(),
        Tok::True => "'true'".into(),
        Tok::False => "'false'".into(),
        Tok::In => "'in'".into(),
        Tok::Punct(p) => format!("'{p}'"),
        Tok::End => "the end of the expression".into(),
    }
}

const PUNCTS: [&str; 21] =
    ["||", "&&", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "["];

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, SyntaxError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &src[start..i];
            let tok = match word {
                "true" => Tok::True,
                "false" => Tok::False,
                "in" => Tok::In,
                "null" => {
                    return Err(SyntaxError {
                        at: start,
                        message: "'null' is not part of the language; use answered(x) to test for an answer".into(),
                    });
                }
                _ => Tok::Ident(word.to_owned()),
            };
            out.push((start, tok));
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let is_decimal = i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit();
            if is_decimal {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let text = &src[start..i];
                let d = Decimal::from_str(text)
                    .map_err(|_| SyntaxError { at: start, message: format!("the number {text} is out of range") })?;
                out.push((start, Tok::Decimal(d)));
            } else {
                let text = &src[start..i];
                if text.len() > 1 && text.starts_with('0') {
                    return Err(SyntaxError { at: start, message: format!("a number must not start with 0: {text}") });
                }
                let n = text
                    .parse::<i64>()
                    .map_err(|_| SyntaxError { at: start, message: format!("the number {text} is out of range") })?;
                out.push((start, Tok::Int(n)));
            }
            continue;
        }
        if c == b'"' || c == b'\'' {
            let quote = c as char;
            let mut text = String::new();
            let mut chars = src[i + 1..].char_indices();
            let mut closed = None;
            while let Some((off, ch)) = chars.next() {
                if ch == quote {
                    closed = Some(i + 1 + off + 1);
                    break;
                }
                if ch == '\\' {
                    match chars.next() {
                        Some((_, '\\')) => text.push('\\'),
                        Some((_, '\'')) => text.push('\''),
                        Some((_, '"')) => text.push('"'),
                        Some((_, 'n')) => text.push('\n'),
                        Some((_, 't')) => text.push('\t'),
                        Some((o, other)) => {
                            return Err(SyntaxError {
                                at: i + 1 + o,
                                message: format!("unknown escape '\\{other}'; expected one of \\\\ \\' \\\" \\n \\t"),
                            });
                        }
                        None => break,
                    }
                } else {
                    text.push(ch);
                }
            }
            match closed {
                Some(end) => {
                    out.push((start, Tok::Text(text)));
                    i = end;
                }
                None => {
                    return Err(SyntaxError {
                        at: start,
                        message: format!("text literal not closed; expected {quote}"),
                    });
                }
            }
            continue;
        }
        let rest = &src[i..];
        if rest.starts_with(']') {
            out.push((start, Tok::Punct("]")));
            i += 1;
            continue;
        }
        match PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            Some(p) => {
                out.push((start, Tok::Punct(p)));
                i += p.len();
            }
            None => {
                let ch = rest.chars().next().unwrap_or('?');
                return Err(SyntaxError { at: start, message: format!("unexpected character '{ch}'") });
            }
        }
    }
    out.push((src.len(), Tok::End));
    Ok(out)
}

/// Parses an expression into its syntax tree.
pub fn parse(src: &str) -> Result<Ast, SyntaxError> {
    if src.len() > MAX_LEN {
        return Err(SyntaxError {
            at: MAX_LEN,
            message: format!("expression is {} bytes long; at most {MAX_LEN} are allowed", src.len()),
        });
    }
    if src.trim().is_empty() {
        return Err(SyntaxError { at: 0, message: "expression is empty".into() });
    }
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    let ast = p.expr()?;
    if *p.peek() != Tok::End {
        return Err(SyntaxError {
            at: p.at(),
            message: format!("unexpected {} after the expression", describe(p.peek())),
        });
    }
    // Chains such as `a + b + c + …` nest without recursion in the parser; the checker and the
    // evaluator recurse, so the tree's depth is bounded as well.
    if depth(&ast) > MAX_DEPTH {
        return Err(SyntaxError {
            at: 0,
            message: format!("expression nests deeper than {MAX_DEPTH} levels (long operator chains count too)"),
        });
    }
    Ok(ast)
}

fn depth(ast: &Ast) -> usize {
    1 + match &ast.kind {
        AstKind::Bool(_) | AstKind::Int(_) | AstKind::Decimal(_) | AstKind::Text(_) | AstKind::Ident(_) => 0,
        AstKind::Select(a, _) | AstKind::Unary(_, a) => depth(a),
        AstKind::Index(a, b) | AstKind::Binary(_, a, b) => depth(a).max(depth(b)),
        AstKind::Conditional(a, b, c) => depth(a).max(depth(b)).max(depth(c)),
        AstKind::Call { target, args, .. } => {
            target.as_deref().map_or(0, depth).max(args.iter().map(depth).max().unwrap_or(0))
        }
        AstKind::List(items) => items.iter().map(depth).max().unwrap_or(0),
    }
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::End, |t| &t.1)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(0, |t| t.0)
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(q) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &'static str) -> Result<(), SyntaxError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(SyntaxError { at: self.at(), message: format!("expected '{p}', found {}", describe(self.peek())) })
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError {
                at: self.at(),
                message: format!("expression nests deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Ast, SyntaxError> {
        self.enter()?;
        let at = self.at();
        let cond = self.or()?;
        let result = if self.eat("?") {
            let a = self.expr()?;
            self.expect(":")?;
            let b = self.expr()?;
            Ast { at, kind: AstKind::Conditional(Box::new(cond), Box::new(a), Box::new(b)) }
        } else {
            cond
        };
        self.depth -= 1;
        Ok(result)
    }

    fn binary_chain(
        &mut self,
        ops: &[(&'static str, BinaryOp)],
        next: fn(&mut Self) -> Result<Ast, SyntaxError>,
    ) -> Result<Ast, SyntaxError> {
        let mut left = next(self)?;
        'outer: loop {
            for (sym, op) in ops {
                if self.eat(sym) {
                    let right = next(self)?;
                    left = Ast { at: left.at, kind: AstKind::Binary(*op, Box::new(left), Box::new(right)) };
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn or(&mut self) -> Result<Ast, SyntaxError> {
        self.binary_chain(&[("||", BinaryOp::Or)], Self::and)
    }

    fn and(&mut self) -> Result<Ast, SyntaxError> {
        self.binary_chain(&[("&&", BinaryOp::And)], Self::rel)
    }

    fn rel_op(&mut self) -> Option<BinaryOp> {
        let op = match self.peek() {
            Tok::In => BinaryOp::In,
            Tok::Punct("==") => BinaryOp::Eq,
            Tok::Punct("!=") => BinaryOp::Ne,
            Tok::Punct("<") => BinaryOp::Lt,
            Tok::Punct("<=") => BinaryOp::Le,
            Tok::Punct(">") => BinaryOp::Gt,
            Tok::Punct(">=") => BinaryOp::Ge,
            _ => return None,
        };
        self.pos += 1;
        Some(op)
    }

    fn rel(&mut self) -> Result<Ast, SyntaxError> {
        let left = self.add()?;
        let Some(op) = self.rel_op() else { return Ok(left) };
        let right = self.add()?;
        let at = self.at();
        if self.rel_op().is_some() {
            return Err(SyntaxError { at, message: "comparisons do not chain; write a < b && b < c".into() });
        }
        Ok(Ast { at: left.at, kind: AstKind::Binary(op, Box::new(left), Box::new(right)) })
    }

    fn add(&mut self) -> Result<Ast, SyntaxError> {
        self.binary_chain(&[("+", BinaryOp::Add), ("-", BinaryOp::Sub)], Self::mul)
    }

    fn mul(&mut self) -> Result<Ast, SyntaxError> {
        self.binary_chain(&[("*", BinaryOp::Mul), ("/", BinaryOp::Div), ("%", BinaryOp::Rem)], Self::unary)
    }

    fn unary(&mut self) -> Result<Ast, SyntaxError> {
        let at = self.at();
        let op = if self.eat("!") {
            UnaryOp::Not
        } else if self.eat("-") {
            UnaryOp::Neg
        } else {
            return self.member();
        };
        self.enter()?;
        let operand = self.unary()?;
        self.depth -= 1;
        Ok(Ast { at, kind: AstKind::Unary(op, Box::new(operand)) })
    }

    fn args(&mut self, close: &'static str) -> Result<Vec<Ast>, SyntaxError> {
        let mut args = Vec::new();
        if self.eat(close) {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            if self.eat(close) {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }

    fn member(&mut self) -> Result<Ast, SyntaxError> {
        let mut node = self.primary()?;
        loop {
            if self.eat(".") {
                let at = self.at();
                let name = match self.bump() {
                    Tok::Ident(n) => n,
                    t => {
                        return Err(SyntaxError {
                            at,
                            message: format!("expected a name after '.', found {}", describe(&t)),
                        });
                    }
                };
                if self.eat("(") {
                    let args = self.args(")")?;
                    node = Ast { at: node.at, kind: AstKind::Call { target: Some(Box::new(node)), name, args } };
                } else {
                    node = Ast { at: node.at, kind: AstKind::Select(Box::new(node), name) };
                }
            } else if self.eat("[") {
                let index = self.expr()?;
                self.expect("]")?;
                node = Ast { at: node.at, kind: AstKind::Index(Box::new(node), Box::new(index)) };
            } else {
                return Ok(node);
            }
        }
    }

    fn primary(&mut self) -> Result<Ast, SyntaxError> {
        let at = self.at();
        let kind = match self.bump() {
            Tok::Int(n) => AstKind::Int(n),
            Tok::Decimal(d) => AstKind::Decimal(d),
            Tok::Text(s) => AstKind::Text(s),
            Tok::True => AstKind::Bool(true),
            Tok::False => AstKind::Bool(false),
            Tok::Ident(name) => {
                if self.eat("(") {
                    AstKind::Call { target: None, name, args: self.args(")")? }
                } else {
                    AstKind::Ident(name)
                }
            }
            Tok::Punct("(") => {
                let inner = self.expr()?;
                self.expect(")")?;
                return Ok(inner);
            }
            Tok::Punct("[") => {
                self.enter()?;
                let items = self.args("]")?;
                self.depth -= 1;
                AstKind::List(items)
            }
            t => return Err(SyntaxError { at, message: format!("expected a value, found {}", describe(&t)) }),
        };
        Ok(Ast { at, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Ast {
        match parse(s) {
            Ok(a) => a,
            Err(e) => panic!("{s}: {e:?}"),
        }
    }

    #[test]
    fn precedence_follows_the_grammar() {
        let a = p("1 + 2 * 3 == 7 && !x || y");
        let AstKind::Binary(BinaryOp::Or, left, _) = a.kind else { panic!("top is ||: {a:?}") };
        let AstKind::Binary(BinaryOp::And, eq, not) = left.kind else { panic!("then &&") };
        assert!(matches!(not.kind, AstKind::Unary(UnaryOp::Not, _)));
        let AstKind::Binary(BinaryOp::Eq, sum, _) = eq.kind else { panic!("then ==") };
        let AstKind::Binary(BinaryOp::Add, _, prod) = sum.kind else { panic!("then +") };
        assert!(matches!(prod.kind, AstKind::Binary(BinaryOp::Mul, _, _)));
    }

    #[test]
    fn member_calls_macros_and_literals() {
        let a = p("hunde.exists(h, h.rasse in codes('listenhunde'))");
        let AstKind::Call { target: Some(t), name, args } = a.kind else { panic!() };
        assert_eq!(name, "exists");
        assert_eq!(t.kind, AstKind::Ident("hunde".into()));
        assert_eq!(args.len(), 2);
        assert_eq!(p("12.50").kind, AstKind::Decimal(Decimal::new(1250, 2)));
        assert_eq!(p(r#""a\"b""#).kind, AstKind::Text("a\"b".into()));
        assert!(matches!(p("[1, 2][0]").kind, AstKind::Index(_, _)));
        assert!(matches!(p("c ? 1 : 2").kind, AstKind::Conditional(_, _, _)));
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = parse("a +").unwrap_err();
        assert_eq!(e.at, 3);
        assert!(e.message.contains("expected a value"), "{e:?}");
        assert!(parse("a < b < c").unwrap_err().message.contains("do not chain"));
        assert!(parse("x == null").unwrap_err().message.contains("answered"));
        assert!(parse("'open").unwrap_err().message.contains("not closed"));
        assert!(parse("007").unwrap_err().message.contains("start with 0"));
        assert!(parse("99999999999999999999").unwrap_err().message.contains("out of range"));
        assert!(parse("a # b").unwrap_err().message.contains("unexpected character '#'"));
        assert!(parse("f(1,)").is_err());
        assert!(parse("").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn depth_and_length_are_bounded() {
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(parse(&deep).unwrap_err().message.contains("nests deeper"));
        let negs = format!("{}1", "-".repeat(500));
        assert!(parse(&negs).unwrap_err().message.contains("nests deeper"));
        let long = "1 + ".repeat(2000) + "1";
        assert!(parse(&long).unwrap_err().message.contains("at most"));
        let chain = "1 + ".repeat(100) + "1";
        assert!(parse(&chain).unwrap_err().message.contains("chains"));
    }
}
