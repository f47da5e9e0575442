extension SaveImageSeal {
    /// The seal among `image`'s extensions (the last one, if several). A
    /// seal with a `digest` saveimg does not know is not taken as a seal.
    public static func find(in image: SaveImage) -> SaveImageSeal? {
        for (index, document) in image.extensions.enumerated().reversed() {
            guard let element = try? XMLParser.parse(document.bytes, name: "extension", path: image.path,
                                                     offset: document.fileOffset),
                  element.name == elementName, let value = element[attribute: "sha256"]
            else { continue }
            let kind: Digest
            switch element[attribute: "digest"] {
            case nil: kind = .streamBytes
            case Digest.guestState.rawValue: kind = .guestState
            default: continue
            }
            var seal = SaveImageSeal(sha256: value, bytes: nil, digest: kind)
            if let text = element[attribute: "bytes"] {
                let source = Checked.Source(path: image.path, offset: document.fileOffset, field: "<saveimg-seal bytes=...>")
                do { seal.bytes = try Checked.unsignedDecimal(text, source) } catch { seal.invalidBytes = error }
            }
            seal.extensionIndex = index
            return seal
        }
        return nil
    }
}
