//! What planpress does to a PDF after Typst wrote it: quiets a false complaint of older
//! poppler, and packs the objects of a tagged document into object streams.

/// The PDF as published: Typst's bytes with `/Suspects false` blanked, then packed.
pub fn finish(mut pdf: Vec<u8>) -> Result<Vec<u8>, String> {
    quiet_suspects(&mut pdf);
    pack_objects(pdf)
}

/// Blanks the catalog's `/Suspects false`, the default, with spaces of the same length (the
/// cross-reference offsets stay right): poppler before 23.05 reports that value, valid as it is,
/// as "Suspects object is wrong type", and `pdfinfo` is how users check a PDF.
fn quiet_suspects(pdf: &mut [u8]) {
    const MARK_INFO: &[u8] = b"/MarkInfo<</Marked true/Suspects false>>";
    const QUIET: &[u8] = b"/MarkInfo<</Marked true               >>";
    // A vectorised search: comparing every window of a 600 KB file took 1 % of a build's CPU.
    if let Some(at) = memchr::memmem::find(pdf, MARK_INFO) {
        pdf[at..at + QUIET.len()].copy_from_slice(QUIET);
    }
}

/// The PDF rewritten with its small objects packed into compressed object streams (PDF 1.5,
/// allowed by PDF/A-2): Typst writes every object plainly, and a tagged plan's 1,700
/// structure elements would otherwise make up a third of the file.
fn pack_objects(pdf: Vec<u8>) -> Result<Vec<u8>, String> {
    let mut document =
        lopdf::Document::load_mem(&pdf).map_err(|e| format!("PDF: reading it back: {e}"))?;
    let mut packed = Vec::with_capacity(pdf.len());
    document
        .save_modern(&mut packed)
        .map_err(|e| format!("PDF: packing its objects: {e}"))?;
    Ok(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suspects_entry_is_blanked_in_place_and_nothing_else_changes() {
        let catalog =
            b"1 0 obj\n<</Type/Catalog/MarkInfo<</Marked true/Suspects false>>>>\nendobj\n";
        let mut pdf = catalog.to_vec();
        quiet_suspects(&mut pdf);
        assert_eq!(pdf.len(), catalog.len(), "offsets stay right");
        assert_eq!(
            String::from_utf8(pdf).unwrap(),
            "1 0 obj\n<</Type/Catalog/MarkInfo<</Marked true               >>>>\nendobj\n"
        );
        let mut plain = b"<</Type/Catalog>>".to_vec();
        quiet_suspects(&mut plain);
        assert_eq!(plain, b"<</Type/Catalog>>");
    }
}
