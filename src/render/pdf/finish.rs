//! What planpress does to a PDF after Typst wrote it: quiets a false complaint of older
//! poppler, and packs the objects of a tagged document into object streams.

use lopdf::{Document, Object};

/// The PDF as published: Typst's document read back, its catalog's `/Suspects` left out, and
/// its objects packed.
pub fn finish(pdf: &[u8]) -> Result<Vec<u8>, String> {
    let mut document = Document::load_mem(pdf).map_err(|e| format!("PDF: reading it back: {e}"))?;
    quiet_suspects(&mut document);
    pack_objects(document, pdf.len())
}

/// Removes the catalog's `/Suspects false`, the default: poppler before 23.05 reports that
/// value, valid as it is, as "Suspects object is wrong type", and `pdfinfo` is how users check
/// a PDF.
fn quiet_suspects(document: &mut Document) {
    if let Ok(catalog) = document.catalog_mut()
        && let Ok(Object::Dictionary(mark_info)) = catalog.get_mut(b"MarkInfo")
        && matches!(mark_info.get(b"Suspects"), Ok(Object::Boolean(false)))
    {
        mark_info.remove(b"Suspects");
    }
}

/// The PDF rewritten with its small objects packed into compressed object streams (PDF 1.5,
/// allowed by PDF/A-2): Typst writes every object plainly, and a tagged plan's 1,700
/// structure elements would otherwise make up a third of the file.
fn pack_objects(mut document: Document, size: usize) -> Result<Vec<u8>, String> {
    let mut packed = Vec::with_capacity(size);
    document
        .save_modern(&mut packed)
        .map_err(|e| format!("PDF: packing its objects: {e}"))?;
    Ok(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF whose catalog marks it as tagged, with or without `/Suspects false`.
    fn tagged(mark_info: &str) -> Vec<u8> {
        let objects = [
            format!("<</Type/Catalog/Pages 2 0 R/MarkInfo{mark_info}>>"),
            "<</Type/Pages/Kids[3 0 R]/Count 1>>".to_string(),
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>".to_string(),
        ];
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (n, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", n + 1).bytes());
        }
        let xref = pdf.len();
        pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for offset in offsets {
            pdf.extend(format!("{offset:010} 00000 n \n").bytes());
        }
        pdf.extend(
            format!(
                "trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .bytes(),
        );
        pdf
    }

    fn mark_info(pdf: &[u8]) -> lopdf::Dictionary {
        let document = Document::load_mem(pdf).unwrap();
        document
            .catalog()
            .unwrap()
            .get(b"MarkInfo")
            .unwrap()
            .as_dict()
            .unwrap()
            .clone()
    }

    #[test]
    fn the_suspects_entry_is_left_out_and_the_document_stays_tagged() {
        let finished = finish(&tagged("<</Marked true/Suspects false>>")).unwrap();
        let marks = mark_info(&finished);
        assert!(marks.get(b"Suspects").is_err(), "{marks:?}");
        assert_eq!(marks.get(b"Marked").unwrap(), &Object::Boolean(true));

        let plain = finish(&tagged("<</Marked true>>")).unwrap();
        assert_eq!(mark_info(&plain), marks);
    }
}
