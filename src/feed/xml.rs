//! A thin layer over quick-xml's writer: every text and attribute value is stripped of the
//! control characters XML forbids and escaped; CDATA is split around `]]>`.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::util::text::strip_controls;

pub(crate) struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    pub(super) fn new() -> Self {
        Xml { w: Writer::new_with_indent(Vec::new(), b' ', 2) }
    }

    pub(crate) fn declaration(&mut self) -> io::Result<()> {
        self.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
    }

    fn start<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            start.push_attribute((*k, strip_controls(v).as_ref()));
        }
        start
    }

    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        self.w.write_event(Event::Start(Self::start(name, attrs)))
    }

    pub(super) fn close(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    pub(super) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        self.w.write_event(Event::Empty(Self::start(name, attrs)))
    }

    pub(super) fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.text_with(name, &[], text)
    }

    pub(crate) fn text_with(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> io::Result<()> {
        let text = strip_controls(text);
        self.w.write_event(Event::Start(Self::start(name, attrs)))?;
        // Only `&`, `<` and `>` need escaping in text; apostrophes stay readable.
        self.w.write_event(Event::Text(BytesText::from_escaped(quick_xml::escape::partial_escape(text.trim()))))?;
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    pub(crate) fn cdata(&mut self, name: &str, content: &str) -> io::Result<()> {
        let content = strip_controls(content);
        self.w.write_event(Event::Start(BytesStart::new(name)))?;
        for part in BytesCData::escaped(&content) {
            self.w.write_event(Event::CData(part))?;
        }
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    /// The bytes written so far.
    pub(super) fn len(&self) -> usize {
        self.w.get_ref().len()
    }

    /// Bytes written from `start` on.
    pub(super) fn since(&self, start: usize) -> &[u8] {
        &self.w.get_ref()[start..]
    }

    /// Bytes written as they are: elements written alone at the same depth, and ending as an
    /// element does, so that the indentation of what follows is the same (quick-xml's writer
    /// keeps only the depth and whether a line break comes next).
    pub(super) fn raw(&mut self, bytes: &[u8]) {
        self.w.get_mut().extend_from_slice(bytes);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = self.w.into_inner();
        out.push(b'\n');
        out
    }
}
