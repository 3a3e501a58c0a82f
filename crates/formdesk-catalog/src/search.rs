//! Finding a form the way citizens name things: "Hund", "Baum fällen", "Parkausweis", "WBS".
//!
//! Every form is indexed by the words of its title, keywords and description. Words are folded (lower case,
//! ä → ae, ö → oe, ü → ue, ß → ss), so "Baumfaellung" finds "Baumfällung". A query word matches an indexed
//! word exactly, as its beginning ("Hu" → "Hund"), inside a compound ("park" in "bewohnerparkausweis"), by
//! containing it ("hundeanmeldung" contains "hund"), or with a typo (one edit in short words, two in long
//! ones). Non-goals: stemming, ranking by popularity.

use formdesk_engine::Form;

/// How strongly a match counts, by where the word was found.
const TITLE: f32 = 3.0;
const KEYWORD: f32 = 2.5;
const DESCRIPTION: f32 = 1.0;

/// The folded words of one form.
#[derive(Debug, Clone)]
pub struct SearchEntry {
    words: Vec<(String, f32)>,
}

/// A search result: the form's position in the catalog and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The index of the form in [`crate::Catalog::entries`].
    pub index: usize,
    /// Higher is better.
    pub score: f32,
}

/// Lower case with umlauts and ß spelt out, as people type them without a German keyboard.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(fold)
}

/// Optimal string alignment distance (Levenshtein with transpositions), stopping early above `limit`.
fn distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
            row_min = row_min.min(cur[j]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How well one query word matches one indexed word, from 0 (not at all) to 1 (the same word).
fn word_score(query: &str, word: &str) -> f32 {
    let (q, w) = (query.chars().count(), word.chars().count());
    if query == word {
        return 1.0;
    }
    if word.starts_with(query) {
        // "hu" is a weaker hint than "hundean"; a word begun is still better than a word contained.
        return 0.6 + 0.35 * (q as f32 / w as f32);
    }
    if q >= 4 && word.contains(query) {
        return 0.7;
    }
    if w >= 4 && query.contains(word) {
        return 0.65 * (w as f32 / q as f32).max(0.6);
    }
    let limit = match q {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    if limit > 0 {
        // Typos in the part typed so far: compare with the word's beginning of the same length, too.
        let prefix: String = word.chars().take(q).collect();
        let d = distance(query, word, limit).min(distance(query, &prefix, limit) + usize::from(w > q));
        if d <= limit {
            return 0.75 - 0.15 * d as f32;
        }
    }
    0.0
}

impl SearchEntry {
    /// Indexes a form's title, keywords and description in every language it has.
    pub fn new(form: &Form) -> SearchEntry {
        let def = form.definition();
        let mut words_out = Vec::new();
        for title in def.title.0.values() {
            words_out.extend(words(title).map(|w| (w, TITLE)));
        }
        for list in def.keywords.values() {
            for keyword in list {
                words_out.extend(words(keyword).map(|w| (w, KEYWORD)));
            }
        }
        if let Some(d) = &def.description {
            for text in d.0.values() {
                words_out.extend(words(text).map(|w| (w, DESCRIPTION)));
            }
        }
        words_out.extend(words(&def.id).map(|w| (w, KEYWORD)));
        // One entry per word, with the weight of its strongest place.
        words_out.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        words_out.dedup_by(|a, b| a.0 == b.0);
        SearchEntry { words: words_out }
    }

    /// The score of a query for this form; 0 when a query word matches nothing.
    pub fn score(&self, query: &str) -> f32 {
        let mut total = 0.0;
        let mut any = false;
        for q in words(query) {
            let best = self.words.iter().map(|(w, weight)| word_score(&q, w) * weight).fold(0.0, f32::max);
            if best == 0.0 {
                // Every word of the query must find something, but a wrong one costs rather than excludes.
                total -= 1.0;
            } else {
                any = true;
                total += best;
            }
        }
        if any { total.max(0.01) } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_spells_out_umlauts() {
        assert_eq!(fold("Baumfällung Größe Übermaß"), "baumfaellung groesse uebermass");
    }

    #[test]
    fn distance_counts_edits_and_transpositions() {
        assert_eq!(distance("hund", "hund", 2), 0);
        assert_eq!(distance("hnud", "hund", 2), 1);
        assert_eq!(distance("parkausweiss", "parkausweis", 2), 1);
        assert_eq!(distance("katze", "hund", 2), 3);
    }

    #[test]
    fn word_scores_order_the_kinds_of_match() {
        let exact = word_score("hund", "hund");
        let prefix = word_score("hun", "hund");
        let inside = word_score("park", "bewohnerparkausweis");
        let typo = word_score("hnud", "hund");
        let nothing = word_score("katze", "hund");
        assert!(
            exact > prefix && prefix > inside && inside > typo && typo > nothing,
            "{exact} {prefix} {inside} {typo}"
        );
        assert_eq!(nothing, 0.0);
    }
}
