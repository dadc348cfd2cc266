//! The French stemmer with a memory: a transcript says the same few thousand words over and
//! over, and stemming was a third of the index build (BENCHMARKS.md, search). The memory is the
//! thread's, not the analyzer's: tantivy clones an analyzer for each snippet generator, so a
//! memory of the analyzer's own would start empty at every search of a server.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per thread before the memory starts afresh.
const MAX_WORDS: usize = 100_000;

thread_local! {
    /// Each word's stem, as frostem gives it.
    static STEMS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    static STEMMER: frostem::Stemmer = frostem::Stemmer::new(frostem::Algorithm::French);
}

/// tantivy's `Stemmer::new(Language::French)` (the same frostem algorithm), remembering stems.
#[derive(Clone, Copy, Default)]
pub(crate) struct FrenchStemmer;

impl TokenFilter for FrenchStemmer {
    type Tokenizer<T: Tokenizer> = StemFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemFilter<T> {
        StemFilter { inner }
    }
}

#[derive(Clone)]
pub(crate) struct StemFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StemFilter<T> {
    type TokenStream<'a> = StemStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        STEMS.with_borrow_mut(|stems| {
            if stems.len() > MAX_WORDS {
                stems.clear();
            }
        });
        StemStream { tail: self.inner.token_stream(text) }
    }
}

pub(crate) struct StemStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for StemStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        STEMS.with_borrow_mut(|stems| match stems.get(&token.text) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stem = STEMMER.with(|s| s.stem(&token.text).into_owned());
                stems.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
            }
        });
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
