//! The French stemmer with a memory: a transcript says the same few thousand words over and
//! over, and stemming was a third of the index build (BENCHMARKS.md, search).

use std::collections::HashMap;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per analyzer (one per indexing thread) before the memory starts afresh.
const MAX_WORDS: usize = 100_000;

/// tantivy's `Stemmer::new(Language::French)` (the same frostem algorithm), remembering stems.
#[derive(Clone, Copy, Default)]
pub(crate) struct FrenchStemmer;

impl TokenFilter for FrenchStemmer {
    type Tokenizer<T: Tokenizer> = StemFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemFilter<T> {
        StemFilter { inner, stems: HashMap::new() }
    }
}

#[derive(Clone)]
pub(crate) struct StemFilter<T> {
    inner: T,
    stems: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for StemFilter<T> {
    type TokenStream<'a> = StemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.stems.len() > MAX_WORDS {
            self.stems.clear();
        }
        StemStream { tail: self.inner.token_stream(text), stems: &mut self.stems, stemmer: None }
    }
}

pub(crate) struct StemStream<'a, T> {
    tail: T,
    stems: &'a mut HashMap<String, String>,
    stemmer: Option<frostem::Stemmer>,
}

impl<T: TokenStream> TokenStream for StemStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.stems.get(&token.text) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stemmer = self.stemmer.get_or_insert_with(|| frostem::Stemmer::new(frostem::Algorithm::French));
                let stem = stemmer.stem(&token.text).into_owned();
                self.stems.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, SimpleTokenizer, Stemmer, TextAnalyzer};

    /// The same stems as tantivy's own French stemmer, whether remembered or not.
    #[test]
    fn same_as_tantivy() {
        let text = "Les cartographies sensibles des habitants ; la cartographie sensible, les habitants développés";
        let stems = |mut a: TextAnalyzer| {
            let mut out = Vec::new();
            let mut s = a.token_stream(text);
            while s.advance() {
                out.push(s.token().text.clone());
            }
            out
        };
        let ours = stems(TextAnalyzer::builder(SimpleTokenizer::default()).filter(super::FrenchStemmer).build());
        let theirs =
            stems(TextAnalyzer::builder(SimpleTokenizer::default()).filter(Stemmer::new(Language::French)).build());
        assert_eq!(ours, theirs);
        assert_eq!(ours[1], ours[6], "cartographies and cartographie");
    }
}
